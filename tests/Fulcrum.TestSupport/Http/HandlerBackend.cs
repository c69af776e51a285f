using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fulcrum.TestSupport.Http;

/// <summary>
/// A Kestrel backend on 127.0.0.1 that answers every request with one handler: the one place test backends start a
/// real HTTP server (<see cref="TestBackend"/> and the health tests' backend are built on it).
/// </summary>
public sealed class HandlerBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HandlerBackend(WebApplication app, IPAddress host, int port)
    {
        _app = app;
        Host = host;
        Port = port;
    }

    /// <summary>The loopback address it listens on (127.0.0.1 unless told).</summary>
    public IPAddress Host { get; }

    public int Port { get; }

    /// <summary>host:port, for a pool's backend address.</summary>
    public string Address => $"{Host}:{Port}";

    /// <summary>
    /// Starts on <paramref name="port"/> (0: the OS chooses; a port again to restart a killed backend where it was).
    /// <paramref name="configure"/> adds middleware that runs before the handler, such as WebSockets. <paramref name="host"/>
    /// is another loopback address (any 127.x on Linux), for backends that share a port, as the addresses of one DNS name do.
    /// </summary>
    public static async Task<HandlerBackend> StartAsync(RequestDelegate handler, int port = 0, Action<IApplicationBuilder>? configure = null, IPAddress? host = null)
    {
        host ??= IPAddress.Loopback;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(host, port));
        var app = builder.Build();
        configure?.Invoke(app);
        app.Run(handler);
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HandlerBackend(app, host, new Uri(url).Port);
    }

    /// <summary>Dies like a crashed process: stops listening and aborts every open connection at once.</summary>
    public Task KillAsync() => _app.StopAsync(new CancellationToken(canceled: true));

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
