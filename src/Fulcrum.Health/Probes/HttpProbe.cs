using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Health.Probes;

/// <summary>
/// GET of the check's path. Passes when the status is in `expect` and, if `body` is set, the first 64 KiB of
/// the body contain it. One handler per pool; connections are not reused between probes (HAProxy's checks
/// also open a fresh connection), so a probe tests that the backend still accepts.
/// </summary>
internal sealed class HttpProbe : IHealthProbe
{
    private const int MaxBody = 64 * 1024;
    private readonly HttpMessageInvoker _client;
    private readonly string _scheme;

    /// <param name="tls">The pool re-encrypts: probes speak https.</param>
    /// <param name="connect">
    /// Opens the TLS connection the way the pool's traffic does (SNI, CA, verification), so a certificate traffic
    /// would refuse fails the probe too; the request then goes as http over it. Null with <paramref name="tls"/>:
    /// https that accepts any certificate (a probe plane run without the data plane's TLS settings).
    /// </param>
    public HttpProbe(bool tls, Func<DnsEndPoint, CancellationToken, ValueTask<Stream>>? connect = null)
    {
        _scheme = tls && connect is null ? "https" : "http";
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
        };
        if (connect is not null) handler.ConnectCallback = (context, token) => connect(context.DnsEndPoint, token);
        else if (tls) handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true };
        _client = new HttpMessageInvoker(handler);
    }

    public async Task<ProbeResult> ProbeAsync(Backend backend, ActiveHealthConfig config, CancellationToken cancellationToken)
    {
        var port = config.Port ?? backend.Port;
        var host = backend.Host.Contains(':') ? $"[{backend.Host}]" : backend.Host;
        var path = config.Path.StartsWith('/') ? config.Path : "/" + config.Path;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{_scheme}://{host}:{port.ToString(CultureInfo.InvariantCulture)}{path}");
            if (config.Host is not null) request.Headers.Host = config.Host;
            request.Headers.UserAgent.ParseAdd("fulcrum-health/1");
            using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var text = status.ToString(CultureInfo.InvariantCulture);
            if (!config.Expect.Contains(status)) return ProbeResult.Fail($"status {text}, expected {config.Expect}");
            if (config.Body is not null)
            {
                var body = await ReadPrefixAsync(response, cancellationToken).ConfigureAwait(false);
                if (!body.Contains(config.Body, StringComparison.Ordinal)) return ProbeResult.Fail($"status {text}, body lacks '{config.Body}'");
            }

            return ProbeResult.Pass(text);
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
                _ => e.HttpRequestError.ToString(),
            });
        }
        catch (IOException e)
        {
            return ProbeResult.Fail(e.Message);
        }
    }

    private static async Task<string> ReadPrefixAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxBody];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (n == 0) break;
            filled += n;
        }

        return Encoding.UTF8.GetString(buffer, 0, filled);
    }

    public void Dispose() => _client.Dispose();
}
