using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Fulcrum.Core.Configuration;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L7.Tls;

/// <summary>
/// Re-encryption to a pool's backends. Plugged in as the pool handler's ConnectCallback (YARP's leg) and used by
/// the lean leg's connection pools, so both keep one connection pool per backend address while we choose the SNI name (server-name, else the
/// backend host) and verify the certificate against a CA bundle or the system store. HTTP/1.1 runs on
/// the TLS stream (ALPN http/1.1), as nginx and HAProxy speak to backends by default; a pool with `backend-protocol: h2`
/// (and gRPC probes) get a connector that offers h2 alone by ALPN (RFC 7301), so a backend that cannot speak HTTP/2
/// fails the handshake or the negotiation instead of being spoken to in a protocol it did not choose.
/// </summary>
public sealed class BackendTlsConnector
{
    private readonly PoolConfig _pool;
    private readonly PoolTlsConfig _tls;
    private readonly X509Certificate2Collection? _roots;
    private readonly bool _insecure;
    private readonly ILogger _logger;
    private readonly List<SslApplicationProtocol> _alpn;

    private BackendTlsConnector(PoolConfig pool, X509Certificate2Collection? roots, ILogger logger, bool http2)
    {
        _pool = pool;
        _alpn = [http2 ? SslApplicationProtocol.Http2 : SslApplicationProtocol.Http11];
        Http2 = http2;
        _tls = pool.Tls!;
        _roots = roots;
        _insecure = _tls.InsecureSkipVerify || !_tls.Verify;
        _logger = logger;
        if (_insecure) TlsLog.InsecureBackend(logger, pool.Name);
    }

    /// <summary>True when the connector offers h2 by ALPN (else http/1.1).</summary>
    public bool Http2 { get; }

    /// <summary>
    /// Null (with errors) when the CA bundle cannot be read; null without errors when the pool does not re-encrypt.
    /// <paramref name="http2"/>: offer h2 by ALPN instead of http/1.1.
    /// </summary>
    public static BackendTlsConnector? Create(PoolConfig pool, string baseDirectory, ILogger logger, List<ConfigError> errors, bool http2 = false)
    {
        if (pool.Tls is not { } tls) return null;
        X509Certificate2Collection? roots = null;
        if (tls.Ca is not null)
        {
            roots = ListenerTls.LoadCaBundle(tls.Ca, baseDirectory, tls.Location, errors);
            if (roots is null) return null;
        }

        return new BackendTlsConnector(pool, roots, logger, http2);
    }

    /// <summary>The handler's ConnectCallback (YARP's leg).</summary>
    public ValueTask<Stream> ConnectAsync(System.Net.Http.SocketsHttpConnectionContext context, CancellationToken cancellationToken) =>
        ConnectAsync(context.DnsEndPoint, cancellationToken);

    /// <summary>A TCP connection to <paramref name="endpoint"/> with TLS set up on it (both legs use this).</summary>
    public async ValueTask<Stream> ConnectAsync(System.Net.DnsEndPoint endpoint, CancellationToken cancellationToken) =>
        (await ConnectWithSocketAsync(endpoint, cancellationToken).ConfigureAwait(false)).Stream;

    /// <summary>As <see cref="ConnectAsync(System.Net.DnsEndPoint, CancellationToken)"/>, with the socket under the TLS stream (the lean leg polls it while the connection is idle).</summary>
    public async ValueTask<(Stream Stream, Socket Socket)> ConnectWithSocketAsync(System.Net.DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            var host = _tls.ServerName ?? endpoint.Host;
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                // An IP literal is not sent as SNI (RFC 6066 section 3); SslStream leaves it out by itself.
                TargetHost = host,
                ApplicationProtocols = _alpn,
                EnabledSslProtocols = System.Security.Authentication.SslProtocols.None,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Verify(endpoint.Host, certificate, chain, errors),
            }, cancellationToken).ConfigureAwait(false);
            return (ssl, socket);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private bool Verify(string backend, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (_insecure) return true;
        if (certificate is null)
        {
            TlsLog.BackendCertificateRejected(_logger, _pool.Name, backend, "no certificate");
            return false;
        }

        if (_roots is null)
        {
            if (errors != SslPolicyErrors.None) TlsLog.BackendCertificateRejected(_logger, _pool.Name, backend, errors.ToString());
            return errors == SslPolicyErrors.None;
        }

        // A configured CA replaces the system store: chain to it, and the name must still match.
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            TlsLog.BackendCertificateRejected(_logger, _pool.Name, backend, errors.ToString());
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }

        var ok = chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
        if (!ok) TlsLog.BackendCertificateRejected(_logger, _pool.Name, backend, "not issued by the configured ca");
        return ok;
    }
}
