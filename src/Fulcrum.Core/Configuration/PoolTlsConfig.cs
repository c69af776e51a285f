namespace Fulcrum.Core.Configuration;

/// <summary>
/// `tls:` on a pool: re-encrypt to the backends (also implied by an `https://` backend address).
/// Keys and defaults (docs/tls.md): verify (true), ca (system store), server-name (the backend host),
/// insecure-skip-verify (false; logs a warning).
/// </summary>
public sealed record PoolTlsConfig
{
    public static readonly PoolTlsConfig Default = new();

    public bool Verify { get; init; } = true;
    /// <summary>PEM bundle of trusted CAs; null trusts the system store.</summary>
    public string? Ca { get; init; }
    /// <summary>SNI and the name the backend certificate must carry; null uses the backend's host.</summary>
    public string? ServerName { get; init; }
    public bool InsecureSkipVerify { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
