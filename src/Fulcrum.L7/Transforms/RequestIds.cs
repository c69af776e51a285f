using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Transforms;

/// <summary>
/// X-Request-ID: kept when the client sent a sane one, generated otherwise, forwarded to the backend
/// and returned on every response, so one id follows a request through client, balancer and backend logs.
/// </summary>
internal static class RequestIds
{
    public const string HeaderName = "X-Request-ID";

    /// <summary>Longer ids are replaced rather than forwarded: an id is for logs, not a payload.</summary>
    public const int MaxLength = 200;

    /// <summary>Makes sure the request carries an id and puts the same id on the response; returns the id.</summary>
    public static string Ensure(HttpContext context)
    {
        var headers = context.Request.Headers;
        var id = headers[HeaderName];
        string value;
        if (id.Count == 1 && id[0] is { Length: > 0 and <= MaxLength } given)
        {
            value = given;
        }
        else
        {
            value = Guid.NewGuid().ToString("N");
            headers[HeaderName] = value;
        }

        context.Response.Headers[HeaderName] = value;
        return value;
    }

    /// <summary>After the backend's headers were copied: the response carries our id only, once.</summary>
    public static void Restore(HttpContext context)
    {
        var id = context.Request.Headers[HeaderName];
        if (id.Count > 0) context.Response.Headers[HeaderName] = id;
    }
}
