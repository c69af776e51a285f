namespace Fulcrum.Core.Configuration;

/// <summary>
/// A pool's `adaptive-concurrency:` block: Envoy's gradient controller (envoy.filters.http.adaptive_concurrency), with
/// its defaults. The limit on requests in flight to the pool follows measured latency: it grows while the backends
/// answer about as fast as when idle (minRTT) and shrinks as queueing makes them slower.
/// </summary>
public sealed record AdaptiveConcurrencyConfig
{
    /// <summary>`interval:` how often the limit is recomputed from the latencies sampled meanwhile (Envoy's concurrency_update_interval; default 100ms).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>`percentile:` the percentile of a window's latencies that stands for it, the sampleRTT (Envoy's sample_aggregate_percentile; default 50%).</summary>
    public double Percentile { get; init; } = 0.5;

    /// <summary>`buffer:` latency tolerated above the minRTT before the limit shrinks, as a share of it (default 25%).</summary>
    public double Buffer { get; init; } = 0.25;

    /// <summary>`min-rtt-interval:` how often the minRTT is measured again (Envoy's min_rtt_calc_params.interval; default 60s).</summary>
    public TimeSpan MinRttInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>`min-rtt-requests:` requests sampled to measure the minRTT (Envoy's request_count; default 50).</summary>
    public int MinRttRequests { get; init; } = 50;

    /// <summary>`jitter:` a random delay of up to this share of min-rtt-interval before each measurement, so instances do not measure together (default 15%).</summary>
    public double Jitter { get; init; } = 0.15;

    /// <summary>`min-concurrency:` the limit while the minRTT is measured, and the lowest limit ever (default 3).</summary>
    public int MinConcurrency { get; init; } = 3;

    /// <summary>`max-limit:` the highest limit (Envoy's max_concurrency_limit; default 1000).</summary>
    public int MaxLimit { get; init; } = 1000;

    /// <summary>`min-rtt:` a fixed minRTT instead of measuring it (Envoy's fixed_value); null measures.</summary>
    public TimeSpan? FixedMinRtt { get; init; }

    public SourceLocation Location { get; init; } = SourceLocation.None;
}
