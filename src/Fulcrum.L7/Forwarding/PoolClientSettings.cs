using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// The part of a pool's config that shapes its HTTP connections. While these stay equal across reloads
/// the pool keeps its client, and so its warm connections to the backends.
/// </summary>
internal readonly record struct PoolClientSettings(TimeSpan ConnectTimeout, PoolTlsConfig? Tls, TimeSpan IdleTimeout, TimeSpan Lifetime, int MaxIdle,
    BackendProtocol Protocol)
{
    // The keepalive values, not the block: its source location moves with every edit above it.
    public static PoolClientSettings From(PoolConfig config) =>
        new(config.ConnectTimeout, config.Tls, config.KeepAlive.IdleTimeout, config.KeepAlive.Lifetime, config.KeepAlive.MaxIdle, config.BackendProtocol);
}
