using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Observability.Tests.Support;

/// <summary>
/// A backend that reads the whole request body, then answers <see cref="ResponseBytes"/> bytes in several
/// flushed writes without a Content-Length, so the response goes out chunked.
/// </summary>
public sealed class ChunkedBackend : IAsyncDisposable
{
    public const int ResponseBytes = 3 * 1000;
    private readonly WebApplication _app;

    private ChunkedBackend(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

    public static async Task<ChunkedBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async c =>
        {
            await c.Request.Body.CopyToAsync(Stream.Null, c.RequestAborted);
            var part = new byte[ResponseBytes / 3];
            for (var i = 0; i < 3; i++)
            {
                await c.Response.Body.WriteAsync(part, c.RequestAborted);
                await c.Response.Body.FlushAsync(c.RequestAborted);
            }
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ChunkedBackend(app, new Uri(url).Authority);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
