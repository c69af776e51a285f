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

    private HandlerBackend(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>host:port, for a pool's backend address.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>
    /// Starts on <paramref name="port"/> (0: the OS chooses; a port again to restart a killed backend where it was).
    /// <paramref name="configure"/> adds middleware that runs before the handler, such as WebSockets.
    /// </summary>
    public static async Task<HandlerBackend> StartAsync(RequestDelegate handler, int port = 0, Action<IApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        configure?.Invoke(app);
        app.Run(handler);
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HandlerBackend(app, new Uri(url).Port);
    }

    /// <summary>Dies like a crashed process: stops listening and aborts every open connection at once.</summary>
    public Task KillAsync() => _app.StopAsync(new CancellationToken(canceled: true));

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
