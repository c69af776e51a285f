using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Observability.Tests.Support;

/// <summary>A Kestrel backend on 127.0.0.1 (port chosen by the OS) that answers every request with one handler.</summary>
public sealed class HandlerBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HandlerBackend(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>host:port, for a pool's backend address.</summary>
    public string Address { get; }

    public static async Task<HandlerBackend> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HandlerBackend(app, new Uri(url).Authority);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
