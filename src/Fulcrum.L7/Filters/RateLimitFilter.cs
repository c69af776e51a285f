using System.Globalization;
using System.Net;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Hashing;
using Fulcrum.Core.Observability;
using Fulcrum.L7.Answers;
using Fulcrum.L7.Exchange;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Filters;

/// <summary>
/// A route's `rate-limit` (docs/protection.md): counts each request by its key in <see cref="RateLimitBuckets"/>;
/// past the burst it answers the limit's status (429) with an exact `Retry-After`; within a burst without `nodelay`
/// it holds the request to the rate. With `headers: true` every response carries `RateLimit-Policy` and `RateLimit`
/// (draft-ietf-httpapi-ratelimit-headers, structured fields), the ones passed and the ones refused alike.
/// </summary>
internal sealed class RateLimitFilter : HttpFilter
{
    private const string PolicyHeader = "RateLimit-Policy";
    private const string StateHeader = "RateLimit";
    private readonly RateLimitBuckets _buckets;
    private readonly RateLimitConfig _config;
    private readonly TimeProvider _time;
    private readonly byte[] _refused;
    private readonly string _policy;

    private readonly Counters _counters;

    /// <summary>The decisions a rate limit counts (docs/protection.md, "Seeing what the protections do").</summary>
    /// <param name="LimitedLocally">A `scope: cluster` limit's refusals decided here because Redis was away or slow (reason `cluster-fallback`).</param>
    internal sealed record Counters(ProtectionCounter Allowed, ProtectionCounter Delayed, ProtectionCounter Limited, ProtectionCounter? LimitedLocally);

    /// <param name="cluster">A `scope: cluster` limit: it also counts its refusals decided locally.</param>
    public static Counters CountersFor(ProtectionStats stats, string listener, string route, bool cluster = false) => new(
        stats.Counter(listener, route, "rate-limit", "allowed"),
        stats.Counter(listener, route, "rate-limit", "delayed"),
        stats.Counter(listener, route, "rate-limit", "limited"),
        cluster ? stats.Counter(listener, route, "rate-limit", "limited", "cluster-fallback") : null);

    private readonly SharedRateLimit? _shared;

    /// <param name="buckets">The local counters (`scope: local`, or a cluster limit without a cluster to share it).</param>
    /// <param name="time">The clock that holds a burst to the rate.</param>
    /// <param name="counters">The decisions it counts.</param>
    /// <param name="shared">The cluster's counters for `scope: cluster`; null counts in <paramref name="buckets"/>.</param>
    public RateLimitFilter(RateLimitBuckets buckets, TimeProvider time, Counters counters, SharedRateLimit? shared = null)
    {
        _counters = counters;
        _buckets = buckets;
        _shared = shared;
        _config = buckets.Config;
        _time = time;
        _refused = Encoding.UTF8.GetBytes($"{_config.Status} too many requests: over this route's rate limit\n");
        // The quota the burst allows, and the seconds the rate needs to give it back.
        var window = Math.Max(1, (int)Math.Ceiling((_config.Burst + 1) / _config.Rate));
        _policy = string.Create(CultureInfo.InvariantCulture, $"\"fulcrum\";q={_config.Burst + 1};w={window}");
        Hooks = FilterHooks.RequestHead | (_config.Headers ? FilterHooks.ResponseHead : FilterHooks.None);
    }

    public override FilterHooks Hooks { get; }

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        if (KeyOf(exchange) is not { } key) return Continue; // no key (no such header): not counted, as nginx does
        if (_shared is not null) return SharedAsync(exchange, key);
        return Decide(exchange, _buckets.Take(key), local: false);
    }

    // One round trip to Redis (or a local decision when it is away or slow), then the same answer as a local limit.
    private async ValueTask<FilterResult> SharedAsync(HttpExchange exchange, ulong key)
    {
        var (decision, local) = await _shared!.TakeAsync(key).ConfigureAwait(false);
        return await Decide(exchange, decision, local).ConfigureAwait(false);
    }

    private ValueTask<FilterResult> Decide(HttpExchange exchange, RateLimitBuckets.Decision decision, bool local)
    {
        if (_config.Headers) exchange.RateLimit = State(decision);
        if (!decision.Allowed)
        {
            var counter = local ? _counters.LimitedLocally ?? _counters.Limited : _counters.Limited;
            counter.Increment();
            exchange.Record.Protection = counter.LogText;
            PlainTextAnswer.Set(exchange, _config.Status, _refused);
            // Whole seconds, rounded up: a client that waits this long is let in.
            var seconds = Math.Max(1, (long)Math.Ceiling(decision.RetryAfter.TotalSeconds));
            exchange.ResponseHeaders.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            OnResponseHead(exchange); // an answering filter's own response hook does not run: its answer starts above it
            return Answered;
        }

        if (decision.Delay <= TimeSpan.Zero)
        {
            _counters.Allowed.Increment();
            return Continue;
        }

        _counters.Delayed.Increment();
        exchange.Record.Protection = _counters.Delayed.LogText;
        return DelayAsync(decision.Delay, exchange.Aborted);
    }

    public override void OnResponseHead(HttpExchange exchange)
    {
        if (exchange.RateLimit is not { } state) return;
        exchange.ResponseHeaders.Append(PolicyHeader, _policy);
        exchange.ResponseHeaders.Append(StateHeader, state);
    }

    private async ValueTask<FilterResult> DelayAsync(TimeSpan delay, CancellationToken aborted)
    {
        await Task.Delay(delay, _time, aborted);
        return FilterResult.Continue;
    }

    private string State(RateLimitBuckets.Decision decision)
    {
        var reset = decision.Allowed
            ? (long)Math.Ceiling(decision.Excess / _config.Rate)
            : Math.Max(1, (long)Math.Ceiling(decision.RetryAfter.TotalSeconds));
        return string.Create(CultureInfo.InvariantCulture, $"\"fulcrum\";r={Math.Max(0, decision.Remaining)};t={reset}");
    }

    private ulong? KeyOf(HttpExchange exchange) => _config.Key switch
    {
        RateLimitKeySource.ClientIp => exchange.ClientAddress is { } address ? AddressKey(address) : null,
        RateLimitKeySource.Header => ValueKey(exchange.RequestHeaders[_config.KeyName!].ToString()),
        RateLimitKeySource.Cookie => ValueKey(exchange.Cookie(_config.KeyName!)),
        RateLimitKeySource.Jwt => exchange.Token is { } token ? ValueKey(Auth.TokenClaims.First(token, _config.KeyName!)) : null,
        _ => 0,
    };

    private static ulong? ValueKey(string? value) => string.IsNullOrEmpty(value) ? null : KeyHash.Of(value);

    private static ulong AddressKey(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        return KeyHash.Of(bytes[..length]);
    }
}
