using Fulcrum.L7.Exchange;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Filters;

/// <summary>
/// What the backend learns about the client. From a peer that is not a trusted proxy, every forwarding header the
/// client sent (X-Forwarded-*, Forwarded, X-Real-IP) is removed, never believed; with `forwarded-headers` on (the
/// default) Fulcrum then sets X-Forwarded-For to the client's address and X-Forwarded-Proto and X-Forwarded-Host to
/// what it saw. From a trusted proxy (`trusted-proxies`) they are kept: X-Forwarded-For gets that proxy's address
/// appended (earlier hops stay listed, the nearest is last), and X-Forwarded-Proto and -Host stay as the first proxy
/// set them, since it terminated the client's connection. With the listener's `x-real-ip`, X-Real-IP is set to the
/// resolved client's address in every case (nginx's `proxy_set_header X-Real-IP $remote_addr` after its realip module).
/// </summary>
internal sealed class ForwardedHeadersFilter(bool add, bool realIp = false) : HttpFilter
{
    private const string ForwardedFor = "X-Forwarded-For";
    private const string ForwardedProto = "X-Forwarded-Proto";
    private const string ForwardedHost = "X-Forwarded-Host";
    private const string RealIp = "X-Real-IP";

    public static readonly ForwardedHeadersFilter Adding = new(add: true);
    public static readonly ForwardedHeadersFilter StrippingOnly = new(add: false);
    private static readonly ForwardedHeadersFilter AddingWithRealIp = new(add: true, realIp: true);
    private static readonly ForwardedHeadersFilter StrippingWithRealIp = new(add: false, realIp: true);

    /// <summary>The shared instance for a listener's `forwarded-headers` and `x-real-ip`.</summary>
    public static ForwardedHeadersFilter For(bool add, bool realIp) =>
        realIp ? add ? AddingWithRealIp : StrippingWithRealIp : add ? Adding : StrippingOnly;

    public override FilterHooks Hooks => FilterHooks.RequestHead;

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        Edit(exchange);
        if (realIp)
        {
            if (exchange.ClientAddress is { } client) exchange.SetRequestHeader(RealIp, client.ToString());
            else exchange.RemoveRequestHeader(RealIp);
        }

        return Continue;
    }

    private void Edit(HttpExchange exchange)
    {
        if (exchange.FromTrustedProxy)
        {
            if (!add) return;
            var prior = exchange.RequestHeader(ForwardedFor);
            var peer = exchange.PeerAddress?.ToString();
            // A proxy that said who its client is only in Forwarded (RFC 7239): that client, then the proxy.
            if (StringValues.IsNullOrEmpty(prior) && exchange.ClientAddress is { } named && !named.Equals(exchange.PeerAddress)) prior = named.ToString();
            if (peer is not null) exchange.SetRequestHeader(ForwardedFor, StringValues.IsNullOrEmpty(prior) ? peer : string.Join(", ", prior.ToString(), peer));
            if (!exchange.HasRequestHeader(ForwardedProto)) exchange.SetRequestHeader(ForwardedProto, exchange.Scheme);
            if (!exchange.HasRequestHeader(ForwardedHost) && exchange.Host.HasValue) exchange.SetRequestHeader(ForwardedHost, exchange.Host.Value);
            return;
        }

        exchange.RemoveRequestHeader("Forwarded");
        exchange.RemoveRequestHeader(RealIp);
        if (!add)
        {
            exchange.RemoveRequestHeader(ForwardedFor);
            exchange.RemoveRequestHeader(ForwardedProto);
            exchange.RemoveRequestHeader(ForwardedHost);
            return;
        }

        if (exchange.ClientAddress is { } client) exchange.SetRequestHeader(ForwardedFor, client.ToString());
        else exchange.RemoveRequestHeader(ForwardedFor);
        exchange.SetRequestHeader(ForwardedProto, exchange.Scheme);
        var host = exchange.Host;
        if (host.HasValue) exchange.SetRequestHeader(ForwardedHost, host.Value);
        else exchange.RemoveRequestHeader(ForwardedHost);
    }
}
