using Fulcrum.Core.Affinity;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Affinity;

/// <summary>
/// The HTTP side of a pool's affinity: reads the sticky key from a request (cookie, header, client address) and, in
/// cookie mode, says which Set-Cookie pins the client (<see cref="Filters.AffinityCookieFilter"/> sends it). The
/// decisions are Core's (<see cref="PoolAffinity"/>); this only moves values between HTTP and it.
/// </summary>
internal static class StickyRequests
{
    /// <summary>What affinity says for this request; <paramref name="backend"/> is set when it is <see cref="AffinityDecision.Sticky"/>.</summary>
    public static AffinityDecision Resolve(PoolAffinity affinity, HttpExchange exchange, out Backend? backend)
    {
        switch (affinity.Mode)
        {
            case AffinityMode.Cookie:
                return affinity.ResolveCookie(exchange.Cookie(affinity.KeyName), out backend);
            case AffinityMode.AppCookie:
                return affinity.PickByKey(exchange.Cookie(affinity.KeyName), out backend);
            case AffinityMode.Header:
                return affinity.PickByKey(exchange.RequestHeader(affinity.KeyName).ToString(), out backend);
            case AffinityMode.SourceIp:
                return affinity.PickBySource(exchange.ClientAddress, out backend);
            default:
                backend = null;
                return AffinityDecision.NoKey;
        }
    }

    /// <summary>Cookie mode: the Set-Cookie value when the request was not already pinned to <paramref name="backend"/>, else null.</summary>
    public static string? CookieFor(PoolAffinity affinity, AffinityDecision decision, HttpExchange exchange, Backend backend)
    {
        if (affinity.Mode != AffinityMode.Cookie || decision == AffinityDecision.Sticky) return null;
        // Precomputed per backend and scheme when the pool was built: no allocation here.
        return affinity.SetCookieFor(backend, exchange.IsHttps);
    }
}
