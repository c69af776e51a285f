using System.Globalization;
using Fulcrum.Core.Cluster;
using StackExchange.Redis;

namespace Fulcrum.Cluster;

/// <summary>
/// `scope: cluster` rate limits: one script per decision, atomic in Redis, with the arithmetic of the local limiter
/// (nginx's limit_req, Fulcrum.L7's RateLimitBuckets): a key's excess decays at the rate and grows by one per request
/// served; a request that would take it past the burst is refused and not counted. Each key is one small hash that
/// expires once its excess has decayed to nothing, when it is the same as no key at all, so idle keys cost nothing.
/// The clock is Redis's (TIME), one for every instance; a test may pass its own.
/// </summary>
internal sealed class RedisRateLimits(Func<IDatabase?> database, Reachability reachability, Func<int> members, TimeSpan timeout) : ISharedRateLimits
{
    // KEYS[1] the key's bucket; ARGV rate (per second), burst, now in microseconds ('' = Redis's TIME), the least
    // time to live in ms.
    // Returns {allowed, excess, wait seconds}; numbers as %.17g text so they come back as exact as they went in.
    private const string TakeScript = """
        local rate = tonumber(ARGV[1])
        local burst = tonumber(ARGV[2])
        local now
        if ARGV[3] ~= '' then now = tonumber(ARGV[3]) else
          local t = redis.call('TIME')
          now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        end
        local b = redis.call('HMGET', KEYS[1], 'e', 't')
        local excess = 0
        if b[1] then
          local old = tonumber(b[1])
          local elapsed = (now - tonumber(b[2])) / 1000000
          if elapsed < 0 then elapsed = 0 end
          excess = old - rate * elapsed + 1
          if excess < 0 then excess = 0 end
          if excess > burst then
            local wait = (old + 1 - burst) / rate - elapsed
            if wait < 0 then wait = 0 end
            local left = old - rate * elapsed
            if left < 0 then left = 0 end
            return {0, string.format('%.17g', left), string.format('%.17g', wait)}
          end
        end
        redis.call('HSET', KEYS[1], 'e', string.format('%.17g', excess), 't', string.format('%.0f', now))
        redis.call('PEXPIRE', KEYS[1], math.max(math.ceil((excess + 1) / rate * 1000) + 1, tonumber(ARGV[4])))
        return {1, string.format('%.17g', excess), '0'}
        """;

    private long _fallbacks;

    /// <summary>
    /// Test hook: the clock the scripts use instead of Redis's. Redis still expires keys by its own clock, so with
    /// this one they live a minute at least, lest a key expire while the test's clock stands still.
    /// </summary>
    public TimeProvider? Clock { get; init; }

    public bool Reachable => reachability.Reachable;

    public int Members => Math.Max(1, members());

    public long Fallbacks => Interlocked.Read(ref _fallbacks);

    public ValueTask<SharedRateDecision?> TakeAsync(string limit, ulong key, double rate, int burst)
    {
        if (!reachability.Reachable || database() is not { } db) return Fallback();
        return TakeAsync(db, limit, key, rate, burst);
    }

    private async ValueTask<SharedRateDecision?> TakeAsync(IDatabase db, string limit, ulong key, double rate, int burst)
    {
        // Unix microseconds: exact in a double (a Lua number) for the next 250 years.
        var now = Clock is { } clock ? ((clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10).ToString(CultureInfo.InvariantCulture) : "";
        try
        {
            var result = await db.ScriptEvaluateAsync(TakeScript, [ClusterKeys.Bucket(limit, key)],
                [rate.ToString("R", CultureInfo.InvariantCulture), burst, now, Clock is null ? 0 : 60_000]).WaitAsync(timeout).ConfigureAwait(false);
            var parts = (RedisValue[])result!;
            return new SharedRateDecision((long)parts[0] == 1, Number(parts[1]), TimeSpan.FromSeconds(Number(parts[2])));
        }
        catch (Exception e) when (e is TimeoutException or RedisException)
        {
            // Too slow or gone: this request is decided locally. A slow Redis may still count it there; that errs
            // towards limiting, never towards letting more through.
            if (e is RedisConnectionException) reachability.MarkDown();
            Interlocked.Increment(ref _fallbacks);
            return null;
        }
    }

    private ValueTask<SharedRateDecision?> Fallback()
    {
        Interlocked.Increment(ref _fallbacks);
        return ValueTask.FromResult<SharedRateDecision?>(null);
    }

    private static double Number(RedisValue value) => double.Parse((string)value!, NumberStyles.Float, CultureInfo.InvariantCulture);
}
