using Microsoft.AspNetCore.Http;

namespace Fulcrum.Observability.Tests.Support;

/// <summary>
/// A backend that reads the whole request body, then answers <see cref="ResponseBytes"/> bytes in several
/// flushed writes without a Content-Length, so the response goes out chunked.
/// </summary>
public static class ChunkedBackend
{
    public const int ResponseBytes = 3 * 1000;

    public static Task<HandlerBackend> StartAsync() => HandlerBackend.StartAsync(async c =>
    {
        await c.Request.Body.CopyToAsync(Stream.Null, c.RequestAborted);
        var part = new byte[ResponseBytes / 3];
        for (var i = 0; i < 3; i++)
        {
            await c.Response.Body.WriteAsync(part, c.RequestAborted);
            await c.Response.Body.FlushAsync(c.RequestAborted);
        }
    });
}
