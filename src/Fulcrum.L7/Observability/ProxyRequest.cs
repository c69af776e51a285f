using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Observability;

/// <summary>
/// The context a listener's connection reuses for each of its requests: the HttpContext plus the request's
/// <see cref="RequestRecord"/>, which is also set as a feature so the forwarder can fill it in.
/// </summary>
internal sealed class ProxyRequest(DefaultHttpContext http)
{
    public DefaultHttpContext Http { get; } = http;

    public RequestRecord Record { get; } = new();

    /// <summary>The record of <paramref name="context"/> when a listener serves it (tests may pass another context).</summary>
    public static RequestRecord? Of(HttpContext context) => context.Features.Get<RequestRecord>();
}
