namespace Fulcrum.Core.Configuration;

/// <summary>
/// A pool's `keepalive:` block: how long Fulcrum keeps its HTTP connections to the backends for reuse (nginx's
/// upstream `keepalive`, `keepalive_timeout` and `keepalive_time`).
/// </summary>
public sealed record KeepAliveConfig
{
    public static readonly KeepAliveConfig Default = new();

    /// <summary>
    /// `idle-timeout:` an idle connection is closed after this long (default 60s). Keep it below the backends' own
    /// keep-alive timeout (Node.js: 5s), so Fulcrum closes first and never sends a request on a connection the
    /// backend is closing.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>`lifetime:` a connection is not reused after this age (default 5m), so DNS and backend-side changes are seen.</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>`max-idle:` idle connections kept per backend (default 256); 0 closes every connection after its request.</summary>
    public int MaxIdle { get; init; } = 256;

    public SourceLocation Location { get; init; } = SourceLocation.None;
}
