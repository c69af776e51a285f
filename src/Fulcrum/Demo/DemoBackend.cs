using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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

    private readonly WebApplication _app;
    private int _active;
    private long _total;

    private DemoBackend(string name, WebApplication app)
    {
        Name = name;
        _app = app;
    }

    public string Name { get; }

    public int Port { get; private set; }

    /// <summary>host:port, as a pool's backend address.</summary>
    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public Uri Url => new($"http://{Address}/");

    /// <summary>Requests being answered now (a delayed request counts until it is answered).</summary>
    public int ActiveRequests => Volatile.Read(ref _active);

    /// <summary>Requests answered or being answered since start, `/health` excluded.</summary>
    public long TotalRequests => Interlocked.Read(ref _total);

    public static async Task<DemoBackend> StartAsync(string name, int port = 0, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options => options.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var backend = new DemoBackend(name, app);
        app.Run(backend.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        backend.Port = new Uri(address).Port;
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(deadline.Token);
        await _app.DisposeAsync();
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
