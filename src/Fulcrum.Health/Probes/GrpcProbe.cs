using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Health.Probes;

/// <summary>
/// grpc.health.v1.Health/Check (grpc/grpc doc/health-checking.md) over HTTP/2: h2c with prior knowledge for a plain
/// pool, h2 negotiated by ALPN over the pool's TLS for a re-encrypting one. Passes when the call ends with grpc-status
/// 0 and the answer is SERVING; NOT_SERVING, SERVICE_UNKNOWN, a gRPC error (an unknown `service` gets NOT_FOUND) or an
/// HTTP error fails it. A fresh connection per probe, as <see cref="HttpProbe"/> opens one.
/// </summary>
internal sealed class GrpcProbe : IHealthProbe
{
    private const int MaxResponse = 64 * 1024;
    private static readonly MediaTypeHeaderValue GrpcContentType = new("application/grpc");
    private readonly HttpMessageInvoker _client;
    private readonly string _scheme;

    /// <param name="tls">The pool re-encrypts: probes speak h2 over TLS.</param>
    /// <param name="connect">
    /// Opens the TLS connection as the pool's traffic does (SNI, CA, verification, ALPN h2). Its stream is used as it
    /// is for the https request (the handler adds no TLS of its own over it), so :scheme is https, which HTTP/2 servers
    /// such as Kestrel check against the connection. Null with <paramref name="tls"/>: TLS accepting any certificate.
    /// </param>
    public GrpcProbe(bool tls, Func<DnsEndPoint, CancellationToken, ValueTask<Stream>>? connect = null)
    {
        _scheme = tls ? "https" : "http";
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            ActivityHeadersPropagator = null,
        };
        if (connect is not null) handler.ConnectCallback = (context, token) => connect(context.DnsEndPoint, token);
        else if (tls) handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true };
        _client = new HttpMessageInvoker(handler);
    }

    public async Task<ProbeResult> ProbeAsync(Backend backend, ActiveHealthConfig config, CancellationToken cancellationToken)
    {
        var port = config.Port ?? backend.Port;
        var host = backend.Host.Contains(':') ? $"[{backend.Host}]" : backend.Host;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{_scheme}://{host}:{port.ToString(CultureInfo.InvariantCulture)}/grpc.health.v1.Health/Check")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(HealthCheckMessages.Request(config.Service)),
            };
            request.Content.Headers.ContentType = GrpcContentType;
            request.Headers.TryAddWithoutValidation("te", "trailers");
            request.Headers.UserAgent.ParseAdd("fulcrum-health/1");
            using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return ProbeResult.Fail($"HTTP status {((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)}");
            }

            var body = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
            // A call that fails is trailers-only (grpc-status with the headers) or ends with grpc-status in the trailers.
            var grpcStatus = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status");
            if (grpcStatus is null) return ProbeResult.Fail("no grpc-status in the answer");
            if (grpcStatus != "0")
            {
                var message = Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message");
                return ProbeResult.Fail(message is null ? $"grpc-status {grpcStatus}" : $"grpc-status {grpcStatus}: {Uri.UnescapeDataString(message)}");
            }

            if (body is null) return ProbeResult.Fail("response message over 64 KiB");
            var status = HealthCheckMessages.ReadStatus(body, out var problem);
            if (status is null) return ProbeResult.Fail(problem!);
            var name = HealthCheckMessages.Name(status.Value);
            return status == HealthCheckMessages.Serving ? ProbeResult.Pass(name) : ProbeResult.Fail(name);
        }
        catch (OperationCanceledException)
        {
            return ProbeResult.Fail("timeout");
        }
        catch (HttpRequestException e)
        {
            return ProbeResult.Fail(e.HttpRequestError switch
            {
                HttpRequestError.ConnectionError => "connection refused",
                HttpRequestError.SecureConnectionError => "tls handshake failed: " + (e.InnerException ?? e).Message,
                HttpRequestError.VersionNegotiationError => "the backend does not speak HTTP/2",
                _ => e.HttpRequestError + ": " + (e.InnerException ?? e).Message,
            });
        }
        catch (IOException e)
        {
            return ProbeResult.Fail(e.Message);
        }
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    // The whole body (one small message), or null past the limit.
    private static async Task<byte[]?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxResponse + 1];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (n == 0) return buffer[..filled];
            filled += n;
        }

        return null;
    }

    public void Dispose() => _client.Dispose();
}
