using System.Collections.Concurrent;
using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Filters;

/// <summary>
/// The counters of one `rate-limit`, one bucket per key, with nginx's `limit_req` arithmetic
/// (ngx_http_limit_req_module.c): a key's excess decays at the rate and grows by one per request served; a request
/// that would take it past the burst is refused and not counted. Kept across reloads while the limit stays the same
/// (<see cref="RateLimitStates"/>). At most `max-keys` buckets: idle ones (decayed to nothing) are dropped when it
/// fills, at most once a second; a request that still finds it full is served untracked rather than refused, so keys
/// sprayed by one client cannot lock out everyone else.
/// </summary>
internal sealed class RateLimitBuckets(RateLimitConfig config, TimeProvider time)
{
    private readonly ConcurrentDictionary<ulong, Bucket> _buckets = new();
    private long _lastSweep;

    public RateLimitConfig Config => config;
    public int Count => _buckets.Count;

    /// <summary>Counts one request of <paramref name="key"/>: whether it may go, after what delay, and what is left.</summary>
    public Decision Take(ulong key)
    {
        var now = time.GetTimestamp();
        if (!_buckets.TryGetValue(key, out var bucket))
        {
            if (_buckets.Count >= config.MaxKeys && !Sweep(now)) return new Decision(true, TimeSpan.Zero, config.Burst, 0, TimeSpan.Zero);
            bucket = _buckets.GetOrAdd(key, static _ => new Bucket());
        }

        lock (bucket)
        {
            var elapsed = bucket.Fresh ? 0 : time.GetElapsedTime(bucket.Last, now).TotalSeconds;
            var excess = bucket.Fresh ? 0 : Math.Max(0, bucket.Excess - config.Rate * elapsed + 1);
            if (excess > config.Burst)
            {
                // The soonest a request fits: the excess must decay to burst - 1 before the +1.
                var wait = TimeSpan.FromSeconds(Math.Max(0, (bucket.Excess + 1 - config.Burst) / config.Rate - elapsed));
                return new Decision(false, TimeSpan.Zero, 0, Math.Max(0, bucket.Excess - config.Rate * elapsed), wait);
            }

            bucket.Fresh = false;
            bucket.Excess = excess;
            bucket.Last = now;
            var delay = config.NoDelay || excess == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(excess / config.Rate);
            return new Decision(true, delay, (int)Math.Floor(config.Burst - excess), excess, TimeSpan.Zero);
        }
    }

    // Drops buckets that have decayed to nothing; false when none could go (the map stays full).
    private bool Sweep(long now)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (last != 0 && time.GetElapsedTime(last, now) < TimeSpan.FromSeconds(1)) return _buckets.Count < config.MaxKeys;
        Interlocked.Exchange(ref _lastSweep, now);
        foreach (var (key, bucket) in _buckets)
        {
            bool idle;
            lock (bucket) idle = bucket.Excess - config.Rate * time.GetElapsedTime(bucket.Last, now).TotalSeconds + 1 <= 0;
            if (idle) _buckets.TryRemove(key, out _);
        }

        return _buckets.Count < config.MaxKeys;
    }

    /// <param name="Allowed">False: refuse with the limit's status.</param>
    /// <param name="Delay">How long to hold the request first (a burst without `nodelay`).</param>
    /// <param name="Remaining">Requests the key may still make at once.</param>
    /// <param name="Excess">The key's excess after this request, in requests.</param>
    /// <param name="RetryAfter">For a refused request: how long until one would pass.</param>
    internal readonly record struct Decision(bool Allowed, TimeSpan Delay, int Remaining, double Excess, TimeSpan RetryAfter);

    private sealed class Bucket
    {
        public bool Fresh = true;
        public double Excess;
        public long Last;
    }
}
