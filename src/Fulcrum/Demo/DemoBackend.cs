using System.Globalization;
using Microsoft.AspNetCore.Http;

using Fulcrum.Hosting;

namespace Fulcrum.Demo;

/// <summary>
/// A tiny HTTP server for the demo and the tests: answers every path with its name and a newline,
/// `/health` with "ok", and obeys `?delay=MS` (wait before answering) and `?status=CODE`.
/// Binds 127.0.0.1 on a port the OS chooses.
/// </summary>
public sealed class DemoBackend : IAsyncDisposable
{
    /// <summary>The longest `?delay=` honoured, so a typo cannot hold a connection for hours.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(2);

    private LoopbackServer _server = null!;
    private int _active;
    private long _total;

    private DemoBackend(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public int Port => _server.Port;

    /// <summary>host:port, as a pool's backend address.</summary>
    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public Uri Url => new($"http://{Address}/");

    /// <summary>Requests being answered now (a delayed request counts until it is answered).</summary>
    public int ActiveRequests => Volatile.Read(ref _active);

    /// <summary>Requests answered or being answered since start, `/health` excluded.</summary>
    public long TotalRequests => Interlocked.Read(ref _total);

    public static async Task<DemoBackend> StartAsync(string name, int port = 0, CancellationToken cancellationToken = default)
    {
        var backend = new DemoBackend(name);
        backend._server = await LoopbackServer.StartAsync(backend.HandleAsync, port, cancellationToken);
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers["X-Backend"] = Name;
        if (context.Request.Path == "/health")
        {
            await response.WriteAsync("ok\n", context.RequestAborted);
            return;
        }

        Interlocked.Increment(ref _total);
        Interlocked.Increment(ref _active);
        try
        {
            var query = context.Request.Query;
            if (int.TryParse(query["delay"], CultureInfo.InvariantCulture, out var delayMs) && delayMs > 0)
            {
                var delay = TimeSpan.FromMilliseconds(delayMs);
                await Task.Delay(delay < MaxDelay ? delay : MaxDelay, context.RequestAborted);
            }

            if (int.TryParse(query["status"], CultureInfo.InvariantCulture, out var status) && status is >= 200 and <= 599)
            {
                response.StatusCode = status;
            }

            if (response.StatusCode is not (204 or 304))
            {
                await response.WriteAsync(Name + "\n", context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away while we waited: nothing to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }
}
