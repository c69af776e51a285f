using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Protection;

/// <summary>
/// A pool's adaptive concurrency limit, Envoy's gradient controller (docs/protection.md, "Load shedding"):
/// <list type="bullet">
/// <item>The minRTT, the latency of the backends when idle, is measured now and then by pinning the limit to
/// `min-concurrency` until `min-rtt-requests` requests admitted meanwhile have answered; their percentile is the minRTT.
/// Only requests admitted during the measurement count, so those sent under the previous, higher limit (and slowed by
/// it) do not inflate it. It is measured again every `min-rtt-interval` plus jitter, and at once when the limit has sat
/// at its minimum for 5 windows in a row (Envoy's rule: the minRTT is probably stale).</item>
/// <item>Every `interval` the percentile of the latencies sampled in the window is the sampleRTT, and
/// gradient = clamp((minRTT × (1 + buffer)) / sampleRTT, 0.5, 2); limit = gradient × limit + √(gradient × limit).
/// The square root is Envoy's headroom: without it a limit whose latency stays at the minRTT would never grow.</item>
/// <item>Unlike Envoy, the limit grows only when the window used at least half of it or shed a request (Netflix
/// concurrency-limits' Gradient2 rule), so a quiet pool does not drift to max-limit and then flood its backends when a
/// surge comes before the limit can fall.</item>
/// </list>
/// Updates happen on the sample that closes a window, under a lock held for one sort of at most
/// <see cref="WindowCapacity"/> samples; nothing runs on a timer, so a manual clock drives it exactly.
/// </summary>
public sealed class GradientLimit
{
    /// <summary>Samples kept per window; beyond this a window keeps a uniform random subset (reservoir sampling).</summary>
    public const int WindowCapacity = 1024;

    /// <summary>Windows at the minimum limit in a row that trigger a new minRTT measurement (Envoy's 5).</summary>
    public const int WindowsAtMinimumBeforeMeasuring = 5;

    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly long[] _window = new long[WindowCapacity];
    private readonly List<long> _minRttSamples = [];
    private AdaptiveConcurrencyConfig _config;
    private volatile int _limit;
    private volatile bool _measuring;
    private int _epoch;
    private int _windowCount;
    private int _windowSeen;
    private long _windowEnd;
    private long _nextMeasurement;
    private int _limitBeforeMeasuring;
    private int _windowsAtMinimum;
    private int _peak;
    private volatile bool _shedInWindow;
    private long _minRtt;
    private long _sampleRtt;
    private double _gradient = 1;
    private long _updates;

    public GradientLimit(AdaptiveConcurrencyConfig config, TimeProvider time, Random random)
    {
        _config = config;
        _time = time;
        _random = random;
        _limit = config.MinConcurrency;
        _limitBeforeMeasuring = config.MinConcurrency;
        var now = time.GetTimestamp();
        _windowEnd = now + Ticks(config.Interval);
        if (config.FixedMinRtt is { } fixedRtt) _minRtt = fixedRtt.Ticks;
        else StartMeasuring(now);
    }

    public AdaptiveConcurrencyConfig Config => _config;

    /// <summary>Requests allowed in flight now.</summary>
    public int Limit => _limit;

    /// <summary>True while the minRTT is being measured (the limit is pinned to min-concurrency).</summary>
    public bool Measuring => _measuring;

    /// <summary>The latency of the backends when idle, as last measured (or `min-rtt`); zero before the first measurement ends.</summary>
    public TimeSpan MinRtt => TimeSpan.FromTicks(Volatile.Read(ref _minRtt));

    /// <summary>The last window's latency percentile; zero before the first window.</summary>
    public TimeSpan SampleRtt => TimeSpan.FromTicks(Volatile.Read(ref _sampleRtt));

    /// <summary>The last gradient, from 0.5 (latency far above the minRTT) to 2.</summary>
    public double Gradient
    {
        get
        {
            lock (_lock) return _gradient;
        }
    }

    /// <summary>Limit updates made so far.</summary>
    public long Updates => Interlocked.Read(ref _updates);

    /// <summary>Stamps a request when it is admitted; its sample counts toward a minRTT only when this has not changed since.</summary>
    public int Epoch => Volatile.Read(ref _epoch);

    /// <summary>Requests a priority may have in flight: its share of the limit, rounded up, and at least 1.</summary>
    public int Allowed(RequestPriority priority)
    {
        var limit = _limit;
        return priority switch
        {
            RequestPriority.High => limit,
            RequestPriority.Low => Math.Max(1, (limit + 1) / 2),
            _ => Math.Max(1, (int)Math.Ceiling(limit * 0.9)),
        };
    }

    /// <summary>A request was admitted with <paramref name="inFlight"/> in flight (itself included).</summary>
    public void OnAdmitted(int inFlight)
    {
        // A lost race only under-reads the peak of one window by a request or two.
        if (inFlight > Volatile.Read(ref _peak)) Volatile.Write(ref _peak, inFlight);
    }

    /// <summary>A request was refused: demand exceeded the limit in this window.</summary>
    public void OnShed() => _shedInWindow = true;

    /// <summary>A request admitted in <paramref name="epoch"/> got its answer's head after <paramref name="latency"/>.</summary>
    public void OnSample(int epoch, TimeSpan latency)
    {
        var ticks = Math.Max(1, latency.Ticks);
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (_measuring)
            {
                if (epoch == _epoch) _minRttSamples.Add(ticks);
                if (_minRttSamples.Count >= _config.MinRttRequests) FinishMeasuring(now);
                return;
            }

            // Reservoir sampling: every sample of the window has the same chance to be among those kept.
            var seen = ++_windowSeen;
            if (_windowCount < WindowCapacity) _window[_windowCount++] = ticks;
            else if (_random.Next(seen) is var slot && slot < WindowCapacity) _window[slot] = ticks;
            if (now >= _windowEnd) Update(now);
        }
    }

    /// <summary>A reload changed the block: the limit, minRTT and any measurement under way carry over within the new bounds.</summary>
    internal void Reconfigure(AdaptiveConcurrencyConfig config)
    {
        lock (_lock)
        {
            if (config == _config) return;
            _config = config;
            _limit = Math.Clamp(_limit, config.MinConcurrency, config.MaxLimit);
            _limitBeforeMeasuring = Math.Clamp(_limitBeforeMeasuring, config.MinConcurrency, config.MaxLimit);
            var now = _time.GetTimestamp();
            if (config.FixedMinRtt is { } fixedRtt)
            {
                Volatile.Write(ref _minRtt, fixedRtt.Ticks);
                if (_measuring) EndMeasuring(now);
            }
            else if (_measuring)
            {
                _limit = config.MinConcurrency;
            }
            else
            {
                ScheduleMeasurement(now);
            }
        }
    }

    private void Update(long now)
    {
        var config = _config;
        var sample = Percentile(_window.AsSpan(0, _windowCount), config.Percentile);
        var saturated = Volatile.Read(ref _peak) * 2 >= _limit || _shedInWindow;
        ResetWindow(now);
        Volatile.Write(ref _sampleRtt, sample);

        var minRtt = Volatile.Read(ref _minRtt);
        var gradient = Math.Clamp(minRtt * (1 + config.Buffer) / sample, 0.5, 2.0);
        _gradient = gradient;
        var scaled = _limit * gradient;
        var next = scaled + Math.Sqrt(scaled);
        if (next > _limit && !saturated) next = _limit;
        var limit = (int)Math.Clamp(next, config.MinConcurrency, config.MaxLimit);
        _limit = limit;
        Interlocked.Increment(ref _updates);

        if (config.FixedMinRtt is not null) return;
        _windowsAtMinimum = limit == config.MinConcurrency ? _windowsAtMinimum + 1 : 0;
        if (now >= _nextMeasurement || _windowsAtMinimum >= WindowsAtMinimumBeforeMeasuring) StartMeasuring(now);
    }

    private void StartMeasuring(long now)
    {
        _limitBeforeMeasuring = _limit;
        _limit = _config.MinConcurrency;
        _minRttSamples.Clear();
        _windowsAtMinimum = 0;
        Interlocked.Increment(ref _epoch);
        _measuring = true;
    }

    private void FinishMeasuring(long now)
    {
        var samples = _minRttSamples.ToArray();
        Volatile.Write(ref _minRtt, Percentile(samples, _config.Percentile));
        EndMeasuring(now);
    }

    private void EndMeasuring(long now)
    {
        _minRttSamples.Clear();
        _measuring = false;
        Interlocked.Increment(ref _epoch);
        // As Envoy does, the limit goes back to where it was: the measurement says nothing about the load.
        _limit = Math.Clamp(_limitBeforeMeasuring, _config.MinConcurrency, _config.MaxLimit);
        ResetWindow(now);
        ScheduleMeasurement(now);
    }

    private void ScheduleMeasurement(long now)
    {
        var interval = _config.MinRttInterval;
        var jitter = TimeSpan.FromTicks((long)(interval.Ticks * _config.Jitter * _random.NextDouble()));
        _nextMeasurement = now + Ticks(interval + jitter);
    }

    private void ResetWindow(long now)
    {
        _windowCount = 0;
        _windowSeen = 0;
        _shedInWindow = false;
        Volatile.Write(ref _peak, 0);
        _windowEnd = now + Ticks(_config.Interval);
    }

    /// <summary>The nearest-rank percentile: the smallest sample at or above the share <paramref name="p"/> of them.</summary>
    internal static long Percentile(Span<long> samples, double p)
    {
        samples.Sort();
        var rank = (int)Math.Ceiling(p * samples.Length);
        return samples[Math.Clamp(rank - 1, 0, samples.Length - 1)];
    }

    private long Ticks(TimeSpan span) => (long)(span.Ticks * (_time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));
}
