using System.Globalization;
using Fulcrum.Core.Cluster;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Hashing;

namespace Fulcrum.L7.Filters;

/// <summary>
/// A `scope: cluster` rate limit: each decision is one script in Redis (<see cref="ISharedRateLimits"/>), shared by
/// every instance, with the local limiter's arithmetic, so the cluster as a whole allows the limit. This is on the
/// request path by nature: one Redis round trip per counted request, bounded by `cluster.rate-limit-timeout`. When
/// Redis is away (at once) or slow (after the timeout) the request is counted locally instead, against the limit
/// divided by the members last seen, so the cluster together still allows about the limit.
/// </summary>
internal sealed class SharedRateLimit(ISharedRateLimits shared, string name, RateLimitConfig config, TimeProvider time)
{
    private volatile LocalShare? _local;

    public RateLimitConfig Config => config;

    /// <summary>The limit's name in Redis: its place and what it counts, so two instances with the same config share it and a changed limit starts afresh.</summary>
    public static string NameOf(string listener, string route, int index, RateLimitConfig config)
    {
        var what = string.Create(CultureInfo.InvariantCulture, $"{config.Key}:{config.KeyName}:{config.Rate:R}:{config.Burst}");
        return string.Create(CultureInfo.InvariantCulture, $"{listener}/{route}/{index}/{KeyHash.Of(what) & 0xffffffff:x8}");
    }

    /// <summary>Counts one request; <paramref name="local"/> says whether it was decided here rather than in Redis.</summary>
    public async ValueTask<(RateLimitBuckets.Decision Decision, bool Local)> TakeAsync(ulong key)
    {
        if (await shared.TakeAsync(name, key, config.Rate, config.Burst).ConfigureAwait(false) is { } d)
        {
            var delay = d.Allowed && !config.NoDelay && d.Excess > 0 ? TimeSpan.FromSeconds(d.Excess / config.Rate) : TimeSpan.Zero;
            var remaining = d.Allowed ? (int)Math.Floor(config.Burst - d.Excess) : 0;
            return (new RateLimitBuckets.Decision(d.Allowed, delay, remaining, d.Excess, d.Wait), false);
        }

        return (Local().Take(key), true);
    }

    // The limit divided by the members last seen, rebuilt when that number changes.
    private RateLimitBuckets Local()
    {
        var members = Math.Max(1, shared.Members);
        var local = _local;
        if (local is not null && local.Members == members) return local.Buckets;
        var share = config with { Rate = config.Rate / members, Burst = config.Burst / members };
        local = new LocalShare(members, new RateLimitBuckets(share, time));
        _local = local;
        return local.Buckets;
    }

    private sealed record LocalShare(int Members, RateLimitBuckets Buckets);
}
