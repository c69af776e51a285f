using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// `tls:` on an https listener. Keys and defaults (docs/tls.md): certificates, min-version (1.2),
/// cipher-suites (platform default), alpn ([h2, http/1.1]), hsts, client-certificates.
/// </summary>
public sealed record ListenerTlsConfig
{
    /// <summary>Chosen by SNI from each certificate's own names; the one marked default (else the first) serves clients without SNI.</summary>
    public ImmutableArray<CertificateConfig> Certificates { get; init; } = [];
    /// <summary>`1.2` (default) or `1.3`.</summary>
    public TlsVersion MinVersion { get; init; } = TlsVersion.Tls12;
    /// <summary>IANA names (TLS_AES_128_GCM_SHA256, ...); empty means the platform's default list. Linux (OpenSSL 1.1.1 or later) and macOS only: .NET's CipherSuitesPolicy throws elsewhere.</summary>
    public ImmutableArray<string> CipherSuites { get; init; } = [];
    /// <summary>Protocols offered by ALPN, in preference order: h2, http/1.1.</summary>
    public ImmutableArray<string> Alpn { get; init; } = ["h2", "http/1.1"];
    public HstsConfig? Hsts { get; init; }
    public ClientCertificateConfig? ClientCertificates { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}

/// <summary>One PEM certificate (leaf first, then any chain) and its PEM private key; paths relative to the config file.</summary>
public sealed record CertificateConfig
{
    public required string Cert { get; init; }
    public required string Key { get; init; }
    /// <summary>Optional separate PEM file with intermediate certificates.</summary>
    public string? Chain { get; init; }
    /// <summary>Serve this one to clients that send no SNI or an unknown name (default: the first entry).</summary>
    public bool Default { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}

public enum TlsVersion
{
    Tls12,
    Tls13,
}

/// <summary>`hsts:` adds Strict-Transport-Security to every https response (RFC 6797).</summary>
public sealed record HstsConfig
{
    /// <summary>Default 365 days.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(365);
    public bool IncludeSubdomains { get; init; }
    public bool Preload { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}

/// <summary>`client-certificates:` mutual TLS on a listener.</summary>
public sealed record ClientCertificateConfig
{
    /// <summary>`required` (default) or `optional`.</summary>
    public ClientCertificateMode Mode { get; init; } = ClientCertificateMode.Required;
    /// <summary>PEM bundle of the CAs a client certificate must chain to.</summary>
    public required string Ca { get; init; }
    /// <summary>Request header carrying the verified subject to the backend (default X-Client-Cert-Subject); any client-sent value is removed.</summary>
    public string SubjectHeader { get; init; } = "X-Client-Cert-Subject";
    public SourceLocation Location { get; init; } = SourceLocation.None;
}

public enum ClientCertificateMode
{
    Required,
    Optional,
}
