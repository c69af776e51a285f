using System.Collections.Frozen;
using System.Net;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Hashing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Affinity;

/// <summary>
/// One pool's affinity for one topology generation. Built with the pool, so everything per backend
/// (cookie token, Set-Cookie value) is computed once; a request only looks things up.
/// Affinity overrides the balancer only when the backend it names may take the request.
/// </summary>
public sealed class PoolAffinity
{
    /// <summary>The algorithm behind app-cookie, source-ip and header: a key keeps its backend while the set changes around it.</summary>
    public const string HashAlgorithm = BalancerNames.ConsistentHash;

    private readonly FrozenDictionary<string, Backend> _byToken;
    private readonly FrozenDictionary<string, Backend>.AlternateLookup<ReadOnlySpan<char>> _byTokenSpan;
    private readonly FrozenDictionary<Backend, string> _cookie;
    private readonly FrozenDictionary<Backend, string> _secureCookie;
    private readonly IBalancer? _primaryRing;
    private readonly IBalancer? _backupRing;

    public PoolAffinity(string pool, AffinityConfig config, Backend[] primaries, Backend[] backups, BalancerServices services)
    {
        Config = config;
        Mode = config.Mode;
        KeyName = config.Mode == AffinityMode.Header ? config.Header ?? "" : config.Cookie;

        var key = CookieToken.KeyFor(pool, config.Secret);
        var byToken = new Dictionary<string, Backend>(StringComparer.Ordinal);
        var cookie = new Dictionary<Backend, string>(ReferenceEqualityComparer.Instance);
        var secureCookie = new Dictionary<Backend, string>(ReferenceEqualityComparer.Instance);
        if (config.Mode == AffinityMode.Cookie)
        {
            foreach (var b in primaries.Concat(backups))
            {
                var token = CookieToken.Compute(key, pool, b.Id);
                byToken[token] = b;
                cookie[b] = AffinityCookie.SetCookieValue(config, token, config.Secure ?? false);
                secureCookie[b] = AffinityCookie.SetCookieValue(config, token, config.Secure ?? true);
            }
        }
        else
        {
            var factory = BalancerRegistry.Get(HashAlgorithm);
            _primaryRing = factory.Create(primaries, services);
            _backupRing = factory.Create(backups, services);
        }

        _byToken = byToken.ToFrozenDictionary(StringComparer.Ordinal);
        _byTokenSpan = _byToken.GetAlternateLookup<ReadOnlySpan<char>>();
        _cookie = cookie.ToFrozenDictionary(ReferenceEqualityComparer.Instance);
        _secureCookie = secureCookie.ToFrozenDictionary(ReferenceEqualityComparer.Instance);
    }

    public AffinityConfig Config { get; }
    public AffinityMode Mode { get; }
    /// <summary>The cookie (cookie, app-cookie) or header (header) the key is read from.</summary>
    public string KeyName { get; }

    /// <summary>
    /// A backend may keep its sticky clients when it is usable, or when it is draining in place and still healthy:
    /// draining stops new clients, not the ones it holds, until the drain timeout ends the drain
    /// (<see cref="Backend.AcceptsSticky"/>).
    /// </summary>
    public static bool CanServeSticky(Backend backend) => backend.AcceptsSticky && backend.HasCapacity;

    /// <summary>cookie mode: the backend a cookie value names. Unknown tokens (removed backend, other pool, garbage) rebalance under either policy.</summary>
    public AffinityDecision ResolveCookie(ReadOnlySpan<char> token, out Backend? backend)
    {
        backend = null;
        if (token.IsEmpty) return AffinityDecision.NoKey;
        if (!_byTokenSpan.TryGetValue(token, out var named)) return AffinityDecision.Rebalance;
        if (CanServeSticky(named))
        {
            backend = named;
            return AffinityDecision.Sticky;
        }

        return Config.OnUnavailable == AffinityUnavailablePolicy.Fail ? AffinityDecision.Unavailable : AffinityDecision.Rebalance;
    }

    /// <summary>cookie mode: the Set-Cookie header value that pins a client to <paramref name="backend"/>; null when the backend is not in this pool.</summary>
    public string? SetCookieFor(Backend backend, bool https) =>
        (https ? _secureCookie : _cookie).TryGetValue(backend, out var value) ? value : null;

    /// <summary>app-cookie and header modes: the backend for a key value; none when the value is empty.</summary>
    public AffinityDecision PickByKey(ReadOnlySpan<char> value, out Backend? backend)
    {
        backend = null;
        if (value.IsEmpty) return AffinityDecision.NoKey;
        return PickByHash(KeyHash.Of(value), out backend);
    }

    /// <summary>source-ip mode: the backend for a client address cut to the configured prefix.</summary>
    public AffinityDecision PickBySource(IPAddress? client, out Backend? backend)
    {
        backend = null;
        if (client is null) return AffinityDecision.NoKey;
        return PickByHash(SourcePrefix.Hash(client, Config.Ipv4Prefix, Config.Ipv6Prefix), out backend);
    }

    private AffinityDecision PickByHash(ulong hash, out Backend? backend)
    {
        var context = new PickContext(hash);
        backend = _primaryRing?.Pick(context) ?? _backupRing?.Pick(context);
        return backend is null ? AffinityDecision.NoKey : AffinityDecision.Sticky;
    }
}
