using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.L7.Tests.Tls;

/// <summary>Kestrel on 127.0.0.1:0 with a <see cref="ListenerTls"/> doing the handshakes; answers with the protocol and client subject.</summary>
internal sealed class TlsTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TlsTestServer(WebApplication app, int port, List<string?> serverNamesSeen)
    {
        _app = app;
        Port = port;
        ServerNamesSeen = serverNamesSeen;
    }

    public int Port { get; }

    /// <summary>The SNI names clients sent (filled by servers from <see cref="StartWithCertificateAsync"/>).</summary>
    public List<string?> ServerNamesSeen { get; }

    /// <summary>A backend serving a certificate for <paramref name="names"/> issued by <paramref name="pki"/>'s CA.</summary>
    public static async Task<TlsTestServer> StartWithCertificateAsync(TestPki pki, string[] names)
    {
        var (cert, key) = pki.Write(pki.Issue(names), "backend");
        var errors = new List<ConfigError>();
        var tls = ListenerTls.Create(CertificateSelectionTests.Listener(new CertificateConfig { Cert = cert, Key = key }),
            pki.Directory, TimeProvider.System, NullLogger.Instance, errors)!;
        Assert.Empty(errors);
        var seen = new List<string?>();
        return await StartAsync(context =>
        {
            lock (seen) seen.Add(context.ClientHelloInfo.ServerName);
            return tls.OnConnection(context);
        }, seen);
    }

    public static async Task<TlsTestServer> StartAsync(Func<TlsHandshakeCallbackContext, ValueTask<System.Net.Security.SslServerAuthenticationOptions>> onConnection,
        List<string?>? serverNamesSeen = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = onConnection });
        }));
        var app = builder.Build();
        app.Run(async context =>
        {
            var subject = context.Connection.ClientCertificate?.Subject ?? "-";
            await context.Response.WriteAsync($"{context.Request.Protocol} {subject}");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TlsTestServer(app, new Uri(address).Port, serverNamesSeen ?? []);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
