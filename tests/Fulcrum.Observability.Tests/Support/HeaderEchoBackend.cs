using Microsoft.AspNetCore.Http;

namespace Fulcrum.Observability.Tests.Support;

/// <summary>A backend that answers with the value of the request's traceparent header (empty when none).</summary>
public static class HeaderEchoBackend
{
    public static Task<HandlerBackend> StartAsync() =>
        HandlerBackend.StartAsync(c => c.Response.WriteAsync(c.Request.Headers["traceparent"].ToString()));
}
