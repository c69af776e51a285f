using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Admin;

/// <summary>
/// The admin HTTP API on `admin.bind` (docs/admin-api.md): its own Kestrel server, apart from the data planes,
/// so a busy listener never starves the operator, with limits of its own (<see cref="AdminLimits"/>). The bearer
/// token is read from the current topology on every request, so a reload can change it; a new bind needs a restart.
/// </summary>
public sealed class AdminServer : IAsyncDisposable
{
    private readonly TopologyStore _store;
    private readonly BindAddress _bind;
    private readonly AdminOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private WebApplication? _app;
    private int _stopped;

    public AdminServer(TopologyStore store, BindAddress bind, AdminOptions options, ILoggerFactory loggerFactory)
    {
        _store = store;
        _bind = bind;
        _options = options;
        _loggerFactory = loggerFactory;
    }

    /// <summary>The bind as configured when the server started (a new bind needs a restart).</summary>
    public BindAddress Bind => _bind;

    /// <summary>The address Kestrel bound (port 0 in the config becomes the real port); null before start.</summary>
    public IPEndPoint? BoundEndpoint { get; private set; }

    /// <summary>The listening socket (Kestrel owns it), for a process that takes over from this one; null before start.</summary>
    public Socket? ListenSocket { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The empty builder: no appsettings.json and so no file watcher on the working directory. The slim
        // builder watches it with every subdirectory, which from / (systemd's default) is the whole filesystem,
        // and wakes on every line an access log under it writes.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Production" });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(_loggerFactory);
        // The inherited socket when this process took over from another, else a new one as Kestrel binds it; kept to be
        // handed over in turn.
        builder.Services.Configure<SocketTransportOptions>(o => o.CreateBoundListenSocket = endpoint =>
        {
            var socket = _options.InheritSocket?.Invoke(_bind) ?? SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
            ListenSocket = socket;
            return socket;
        });
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            ApplyLimits(k.Limits, _options.Limits);
            // Plain HTTP/1.1: the API and the dashboard need nothing more, and h2c would only add a parser to reach.
            k.Listen(_bind.Address, _bind.Port, listen => listen.Protocols = HttpProtocols.Http1);
        });

        var app = builder.Build();
        var endpoints = new AdminEndpoints(_store, _options);
        var auth = new AdminAuth(_store, _bind);
        app.Use(auth.CheckAsync);
        endpoints.Map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        BoundEndpoint = FindBound(app) ?? new IPEndPoint(_bind.Address, _bind.Port);
    }

    private static void ApplyLimits(KestrelServerLimits kestrel, AdminLimits limits)
    {
        kestrel.MaxRequestBodySize = limits.MaxRequestBodySize;
        kestrel.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize;
        kestrel.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
        kestrel.MaxRequestLineSize = limits.MaxRequestLineSize;
        kestrel.MaxConcurrentConnections = limits.MaxConnections;
        kestrel.MaxConcurrentUpgradedConnections = 0; // nothing here upgrades
        kestrel.RequestHeadersTimeout = limits.RequestHeadersTimeout;
        kestrel.KeepAliveTimeout = limits.KeepAliveTimeout;
        kestrel.MinRequestBodyDataRate = new MinDataRate(limits.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5));
    }

    private static IPEndPoint? FindBound(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null) return null;
        foreach (var address in addresses)
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip))
            {
                return new IPEndPoint(ip, uri.Port);
            }
        }

        return null;
    }

    /// <summary>Stops accepting and closes its connections; a second call does nothing.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null && Interlocked.Exchange(ref _stopped, 1) == 0) await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }
}
