using System.Globalization;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.TestSupport.Http;

/// <summary>
/// A Kestrel backend that serves bodies for compression tests, each the same bytes every time (<see cref="Text"/>):
/// `/text?size=N` (text/plain, with a strong ETag), `/cacheable?size=N` (text/plain, fresh for a minute in a shared cache), `/json?size=N`, `/png?size=N` (image/png), `/encoded?size=N`
/// (text/plain already gzip-encoded), `/no-transform?size=N` (Cache-Control: no-transform), `/chunked?size=N` (no
/// Content-Length), `/stream?size=N` (N bytes, 1 GiB by default: <see cref="Text"/> of 64 KiB over and over, streamed
/// without a length as it is made, for bodies larger than memory), and `/held` (a first line, then the rest once <see cref="Release"/> is called).
/// </summary>
public sealed class ContentBackend : IAsyncDisposable
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HandlerBackend? _http;
    private int _requests;

    public string Address => _http!.Address;

    /// <summary>Requests received so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The first line `/held` sends before it waits.</summary>
    public const string HeldFirstLine = "first line, sent at once\n";

    public static async Task<ContentBackend> StartAsync()
    {
        var backend = new ContentBackend();
        backend._http = await HandlerBackend.StartAsync(backend.HandleAsync);
        return backend;
    }

    /// <summary>Lets `/held` send the rest of its answer.</summary>
    public void Release() => _release.TrySetResult();

    /// <summary>
    /// <paramref name="size"/> bytes of text that compress as real pages do (words repeat, lines differ), the same for a
    /// size every time, so a test compares what the client decoded with what the backend sent.
    /// </summary>
    public static byte[] Text(int size)
    {
        var text = new StringBuilder(size + 64);
        for (var line = 0; text.Length < size; line++)
        {
            text.Append(CultureInfo.InvariantCulture, $"line {line}: the quick brown fox {line * 7919 % 1000} jumps over the lazy dog {line % 13}\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, size));
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _http!.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var request = context.Request;
        var response = context.Response;
        var size = int.TryParse(request.Query["size"], out var n) ? n : 4096;
        switch (request.Path.Value)
        {
            case "/text":
                response.ContentType = "text/plain; charset=utf-8";
                response.Headers.ETag = "\"v1\"";
                response.Headers.AcceptRanges = "bytes";
                await WriteAsync(response, Text(size));
                break;
            case "/cacheable":
                response.ContentType = "text/plain";
                response.Headers.CacheControl = "public, max-age=60";
                await WriteAsync(response, Text(size));
                break;
            case "/json":
                response.ContentType = "application/json";
                await WriteAsync(response, Text(size));
                break;
            case "/png":
                response.ContentType = "image/png";
                await WriteAsync(response, Text(size));
                break;
            case "/encoded":
                response.ContentType = "text/plain";
                response.Headers.ContentEncoding = "gzip";
                await WriteAsync(response, Gzip(Text(size)));
                break;
            case "/no-transform":
                response.ContentType = "text/plain";
                response.Headers.CacheControl = "public, no-transform";
                await WriteAsync(response, Text(size));
                break;
            case "/chunked":
                response.ContentType = "text/plain";
                await response.Body.WriteAsync(Text(size));
                break;
            case "/stream":
                response.ContentType = "text/plain";
                await StreamAsync(response, long.TryParse(request.Query["size"], out var total) ? total : 1L << 30, context.RequestAborted);
                break;
            case "/held":
                response.ContentType = "text/plain";
                await response.Body.WriteAsync(Encoding.ASCII.GetBytes(HeldFirstLine));
                await response.Body.FlushAsync();
                await _release.Task.WaitAsync(context.RequestAborted);
                await response.Body.WriteAsync(Text(size));
                break;
            default:
                response.StatusCode = 404;
                break;
        }
    }

    private static async Task StreamAsync(HttpResponse response, long size, CancellationToken aborted)
    {
        var block = Text(64 * 1024);
        for (var sent = 0L; sent < size;)
        {
            var take = (int)Math.Min(block.Length, size - sent);
            await response.Body.WriteAsync(block.AsMemory(0, take), aborted);
            sent += take;
        }
    }

    private static async Task WriteAsync(HttpResponse response, byte[] body)
    {
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body);
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(bytes);
        return output.ToArray();
    }
}
