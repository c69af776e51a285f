namespace Fulcrum.Core.Configuration;

/// <summary>
/// The scheme a backend address was written with. <see cref="None"/> (plain host:port) follows the pool: plain
/// http, or TLS when the pool has a `tls:` block. All backends of a pool use one scheme.
/// </summary>
public enum BackendScheme
{
    None,
    Http,
    Https,
}
