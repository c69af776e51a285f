using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Fulcrum.Core.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L7.Tls;

/// <summary>
/// The TLS side of one https listener. Each handshake reads the current certificates through one volatile
/// reference and gets a prebuilt <see cref="SslServerAuthenticationOptions"/> for the SNI name, so a reload
/// (changed files) swaps certificates for new handshakes without touching open connections.
/// </summary>
public sealed class ListenerTls : IDisposable
{
    private readonly string _baseDirectory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SslProtocols _protocols;
    private readonly CipherSuitesPolicy? _cipherSuites;
    private readonly List<SslApplicationProtocol> _alpn;
    private readonly ClientCertificateValidator? _clientCertificates;
    private volatile Snapshot _current;
    private CertificateWatcher? _watcher;

    private ListenerTls(ListenerConfig listener, string baseDirectory, TimeProvider time, ILogger logger, Snapshot first,
        SslProtocols protocols, CipherSuitesPolicy? cipherSuites, ClientCertificateValidator? clientCertificates)
    {
        Listener = listener;
        Config = listener.Tls!;
        _baseDirectory = baseDirectory;
        _time = time;
        _logger = logger;
        _protocols = protocols;
        _cipherSuites = cipherSuites;
        _clientCertificates = clientCertificates;
        _alpn = [.. Config.Alpn.Select(p => new SslApplicationProtocol(p))];
        HstsHeader = Config.Hsts is { } hsts ? Hsts.HeaderValue(hsts) : null;
        _current = first;
        _current = new Snapshot(first.Set, BuildOptions(first.Set));
    }

    public ListenerConfig Listener { get; }
    public ListenerTlsConfig Config { get; }
    public CertificateSet Certificates => _current.Set;
    /// <summary>Header carrying the verified client certificate subject to backends; null without mTLS.</summary>
    public string? ClientSubjectHeader => _clientCertificates?.Config.SubjectHeader;
    /// <summary>The Strict-Transport-Security value to add to responses; null without hsts.</summary>
    public string? HstsHeader { get; }

    /// <summary>Loads and checks every certificate and option of an https listener; null with errors when something is wrong.</summary>
    public static ListenerTls? Create(ListenerConfig listener, string baseDirectory, TimeProvider time, ILogger logger, List<ConfigError> errors)
    {
        var before = errors.Count;
        var tls = listener.Tls;
        if (tls is null || tls.Certificates.IsEmpty)
        {
            errors.Add(new ConfigError(listener.Location, $"https listener '{listener.Name}' needs tls.certificates"));
            return null;
        }

        var set = LoadSet(tls, baseDirectory, time, errors);
        var protocols = tls.MinVersion == TlsVersion.Tls13 ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13;
        var ciphers = CipherSuites(tls, errors);
        ClientCertificateValidator? clients = null;
        if (tls.ClientCertificates is { } mtls)
        {
            var roots = LoadCaBundle(mtls.Ca, baseDirectory, mtls.Location, errors);
            if (roots is not null) clients = new ClientCertificateValidator(mtls, roots);
        }

        foreach (var protocol in tls.Alpn)
        {
            if (protocol is not ("h2" or "http/1.1"))
            {
                errors.Add(new ConfigError(tls.Location, $"tls.alpn: unknown protocol '{protocol}' (h2, http/1.1)"));
            }
        }

        if (errors.Count > before || set is null) return null;
        return new ListenerTls(listener, baseDirectory, time, logger, new Snapshot(set, FrozenDictionary<TlsCertificate, SslServerAuthenticationOptions>.Empty),
            protocols, ciphers, clients);
    }

    /// <summary>A PEM bundle of CA certificates (mTLS roots, backend CAs).</summary>
    public static X509Certificate2Collection? LoadCaBundle(string path, string baseDirectory, SourceLocation location, List<ConfigError> errors)
    {
        var full = CertificateLoader.Resolve(baseDirectory, path);
        try
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(full);
            if (roots.Count > 0) return roots;
            errors.Add(new ConfigError(location, $"no PEM certificate in CA bundle {full}"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            errors.Add(new ConfigError(location, $"cannot read CA bundle {full}: {e.Message}"));
        }

        return null;
    }

    /// <summary>Kestrel's per-connection TLS callback: options for the ClientHello's server name.</summary>
    public ValueTask<SslServerAuthenticationOptions> OnConnection(TlsHandshakeCallbackContext context) =>
        ValueTask.FromResult(OptionsFor(context.ClientHelloInfo.ServerName));

    public SslServerAuthenticationOptions OptionsFor(string? serverName)
    {
        var snapshot = _current;
        return snapshot.Options[snapshot.Set.Select(serverName)];
    }

    /// <summary>Reads the files again; swaps only when every certificate loads and checks, else keeps serving the old ones.</summary>
    public bool Reload()
    {
        var errors = new List<ConfigError>();
        var set = LoadSet(Config, _baseDirectory, _time, errors);
        if (set is null)
        {
            TlsLog.ReloadFailed(_logger, Listener.Name, string.Join("; ", errors));
            return false;
        }

        _current = new Snapshot(set, BuildOptions(set));
        TlsLog.Reloaded(_logger, Listener.Name);
        foreach (var c in set.Certificates) TlsLog.Serving(_logger, Listener.Name, c.ToString());
        return true;
    }

    /// <summary>Reloads when any certificate, key or chain file changes.</summary>
    public void StartWatching()
    {
        foreach (var c in Certificates.Certificates) TlsLog.Serving(_logger, Listener.Name, c.ToString());
        var files = new List<string>();
        foreach (var c in Config.Certificates)
        {
            files.Add(CertificateLoader.Resolve(_baseDirectory, c.Cert));
            files.Add(CertificateLoader.Resolve(_baseDirectory, c.Key));
            if (c.Chain is not null) files.Add(CertificateLoader.Resolve(_baseDirectory, c.Chain));
        }

        _watcher ??= new CertificateWatcher(files, () => Reload(), _time);
    }

    public void Dispose() => _watcher?.Dispose();

    private static CertificateSet? LoadSet(ListenerTlsConfig tls, string baseDirectory, TimeProvider time, List<ConfigError> errors)
    {
        var before = errors.Count;
        var loaded = ImmutableArray.CreateBuilder<TlsCertificate>();
        foreach (var c in tls.Certificates)
        {
            var certificate = CertificateLoader.Load(c, baseDirectory, time, errors);
            if (certificate is not null) loaded.Add(certificate);
        }

        return errors.Count > before || loaded.Count == 0 ? null : new CertificateSet(loaded.ToImmutable());
    }

    private static CipherSuitesPolicy? CipherSuites(ListenerTlsConfig tls, List<ConfigError> errors)
    {
        if (tls.CipherSuites.IsEmpty) return null;
        var suites = new List<TlsCipherSuite>();
        foreach (var name in tls.CipherSuites)
        {
            if (Enum.TryParse<TlsCipherSuite>(name, ignoreCase: false, out var suite) && !int.TryParse(name, out _)) suites.Add(suite);
            else errors.Add(new ConfigError(tls.Location, $"tls.cipher-suites: unknown suite '{name}' (IANA names such as TLS_AES_128_GCM_SHA256)"));
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) return new CipherSuitesPolicy(suites);
        errors.Add(new ConfigError(tls.Location, "tls.cipher-suites is supported on Linux and macOS only"));
        return null;
    }

    // One options object per certificate, shared by all its handshakes: SslStream only reads them.
    private FrozenDictionary<TlsCertificate, SslServerAuthenticationOptions> BuildOptions(CertificateSet set)
    {
        var options = new Dictionary<TlsCertificate, SslServerAuthenticationOptions>(ReferenceEqualityComparer.Instance);
        foreach (var certificate in set.Certificates)
        {
            options[certificate] = new SslServerAuthenticationOptions
            {
                ServerCertificateContext = certificate.Context,
                EnabledSslProtocols = _protocols,
                CipherSuitesPolicy = _cipherSuites,
                ApplicationProtocols = _alpn,
                ClientCertificateRequired = _clientCertificates is not null,
                RemoteCertificateValidationCallback = _clientCertificates is null ? null : _clientCertificates.Validate,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            };
        }

        return options.ToFrozenDictionary(ReferenceEqualityComparer.Instance);
    }

    private sealed record Snapshot(CertificateSet Set, FrozenDictionary<TlsCertificate, SslServerAuthenticationOptions> Options);
}
