namespace Fulcrum.Core.Configuration;

/// <summary>
/// `health.passive:` outlier detection on real traffic, after Envoy's (consecutive failures and failure percentage).
/// Failures are connect errors, resets, timeouts and 502/503/504; client aborts never count.
/// </summary>
public sealed record PassiveHealthConfig
{
    public static readonly PassiveHealthConfig Default = new();

    /// <summary>`consecutive-failures:` that eject a backend (default 5; 0 turns the rule off).</summary>
    public int ConsecutiveFailures { get; init; } = 5;
    /// <summary>`eject-for:` the first ejection's length (default 30s); each repeat doubles it.</summary>
    public TimeSpan EjectFor { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>`max-eject-for:` the cap on a doubled ejection (default 5m).</summary>
    public TimeSpan MaxEjectFor { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>`max-ejected:` the largest share of a pool's backends passive checks may eject at once (default 50%).</summary>
    public double MaxEjected { get; init; } = 0.5;
    /// <summary>`failure-rate:` eject when this share of a window's requests fail (default: off).</summary>
    public double? FailureRate { get; init; }
    /// <summary>`failure-rate-window:` the window the failure rate is measured over (default 10s).</summary>
    public TimeSpan FailureRateWindow { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>`failure-rate-min-requests:` fewer requests in a window never eject (default 20).</summary>
    public int FailureRateMinRequests { get; init; } = 20;
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>False when both rules are off: `consecutive-failures: 0` and no `failure-rate`.</summary>
    public bool Enabled => ConsecutiveFailures > 0 || FailureRate is not null;
}
