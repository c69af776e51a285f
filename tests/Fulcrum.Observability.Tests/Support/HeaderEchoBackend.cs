using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Observability.Tests.Support;

/// <summary>A backend that answers with the value of the request's traceparent header (empty when none).</summary>
public sealed class HeaderEchoBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HeaderEchoBackend(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

    public static async Task<HeaderEchoBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(c => c.Response.WriteAsync(c.Request.Headers["traceparent"].ToString()));
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HeaderEchoBackend(app, new Uri(url).Authority);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
