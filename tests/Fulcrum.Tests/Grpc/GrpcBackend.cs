using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Tests.Grpc;

/// <summary>
/// A Grpc.AspNetCore server on 127.0.0.1:0 for the gRPC tests: the Echo service (echo.proto), grpc.health.v1 (its
/// status set by the test), and plain HTTP beside them: `/plain` answers with the protocol, scheme and host it saw,
/// `/hold` waits until <see cref="ReleaseHeld"/>. Speaks h2c with prior knowledge, or h2 over TLS (ALPN) with a
/// self-signed certificate for `localhost` whose PEM the pool trusts as its `ca`. Counts the connections it accepted.
/// </summary>
public sealed class GrpcBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly State _state;

    private GrpcBackend(WebApplication app, State state, int port, string? certificatePem)
    {
        _app = app;
        _state = state;
        Port = port;
        CertificatePem = certificatePem;
    }

    public string Name => _state.Name;
    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";
    /// <summary>The backend's certificate (PEM) when it speaks TLS, to trust as the pool's ca.</summary>
    public string? CertificatePem { get; }
    public int Connections => Volatile.Read(ref _state.Connections);
    public int Held => Volatile.Read(ref _state.Held);
    /// <summary>The grpc.health.v1 service: the test sets what the backend reports.</summary>
    public HealthServiceImpl Health => _state.Health;

    public static async Task<GrpcBackend> StartAsync(string name, bool tls = false)
    {
        var state = new State(name);
        state.Health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
        state.Health.SetStatus("fulcrum.test.Echo", HealthCheckResponse.Types.ServingStatus.Serving);
        X509Certificate2? certificate = tls ? SelfSigned() : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(state.Health);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Use(next => async connection =>
            {
                Interlocked.Increment(ref state.Connections);
                await next(connection);
            });
            if (certificate is null)
            {
                listen.Protocols = HttpProtocols.Http2; // h2c: prior knowledge only
            }
            else
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        app.MapGrpcService<HealthServiceImpl>();
        app.MapGet("/plain", (HttpContext context) =>
            $"{state.Name} {context.Request.Protocol} {context.Request.Scheme} {context.Request.Host} {context.Request.Headers["X-Test"]}");
        app.MapGet("/hold", async (HttpContext context) =>
        {
            Interlocked.Increment(ref state.Held);
            try
            {
                await state.Release.Task.WaitAsync(context.RequestAborted);
                return state.Name;
            }
            finally
            {
                Interlocked.Decrement(ref state.Held);
            }
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GrpcBackend(app, state, new Uri(url).Port, certificate?.ExportCertificatePem());
    }

    /// <summary>Lets every /hold request answer.</summary>
    public void ReleaseHeld() => _state.Release.TrySetResult();

    /// <summary>Dies like a crashed process: stops listening and aborts every open connection and stream at once.</summary>
    public Task KillAsync() => _app.StopAsync(new CancellationToken(canceled: true));

    public async ValueTask DisposeAsync()
    {
        ReleaseHeld();
        await KillAsync();
        await _app.DisposeAsync();
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        // Kestrel on Linux wants a certificate whose key it can use for TLS: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>What the service instances (made per call) share.</summary>
    public sealed class State(string name)
    {
        public string Name { get; } = name;
        public HealthServiceImpl Health { get; } = new();
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Connections;
        public int Held;
    }

    private sealed class EchoService(State state) : Echo.EchoBase
    {
        public override async Task<EchoReply> Unary(EchoRequest request, ServerCallContext context)
        {
            if (request.DelayMs > 0) await Task.Delay(request.DelayMs, context.CancellationToken);
            if (request.Text == "fail") throw new RpcException(new Status(StatusCode.FailedPrecondition, "asked to fail"));
            return new EchoReply { Text = request.Text, Backend = state.Name };
        }

        public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
        {
            for (var i = 0; request.Count < 0 || i < request.Count; i++)
            {
                if (i > 0 && request.DelayMs > 0) await Task.Delay(request.DelayMs, context.CancellationToken);
                await responseStream.WriteAsync(new EchoReply { Text = request.Text, Backend = state.Name, Index = i });
            }
        }

        public override async Task<EchoReply> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
        {
            var texts = new List<string>();
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken)) texts.Add(request.Text);
            return new EchoReply { Text = string.Join(",", texts), Backend = state.Name, Index = texts.Count };
        }

        public override async Task Bidi(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
        {
            var i = 0;
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(new EchoReply { Text = request.Text, Backend = state.Name, Index = i++ });
            }
        }
    }
}
