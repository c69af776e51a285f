using Fulcrum.Core.Affinity;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Fulcrum.L7.Affinity;

/// <summary>
/// The HTTP side of a pool's affinity: reads the sticky key from a request (cookie, header, client
/// address) and, in cookie mode, pins the client with Set-Cookie. The decisions are Core's
/// (<see cref="PoolAffinity"/>); this only moves values between HTTP and it.
/// </summary>
internal static class StickyRequests
{
    /// <summary>What affinity says for this request; <paramref name="backend"/> is set when it is <see cref="AffinityDecision.Sticky"/>.</summary>
    public static AffinityDecision Resolve(PoolAffinity affinity, HttpContext context, out Backend? backend)
    {
        switch (affinity.Mode)
        {
            case AffinityMode.Cookie:
                return affinity.ResolveCookie(context.Request.Cookies[affinity.KeyName], out backend);
            case AffinityMode.AppCookie:
                return affinity.PickByKey(context.Request.Cookies[affinity.KeyName], out backend);
            case AffinityMode.Header:
                return affinity.PickByKey(context.Request.Headers[affinity.KeyName].ToString(), out backend);
            case AffinityMode.SourceIp:
                return affinity.PickBySource(context.Connection.RemoteIpAddress, out backend);
            default:
                backend = null;
                return AffinityDecision.NoKey;
        }
    }

    /// <summary>Cookie mode: when the request was not already pinned to this backend, (re-)issue the cookie.</summary>
    public static void Pin(PoolAffinity affinity, AffinityDecision decision, HttpContext context, Backend backend)
    {
        if (affinity.Mode != AffinityMode.Cookie || decision == AffinityDecision.Sticky) return;
        // Precomputed per backend and scheme when the pool was built: no allocation here.
        if (affinity.SetCookieFor(backend, context.Request.IsHttps) is { } value)
        {
            context.Response.Headers.Append(HeaderNames.SetCookie, value);
        }
    }
}
