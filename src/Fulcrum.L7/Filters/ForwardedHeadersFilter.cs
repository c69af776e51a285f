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
            if (exchange.ClientAddress is { } client) exchange.RequestHeaders[RealIp] = client.ToString();
            else exchange.RequestHeaders.Remove(RealIp);
        }

        return Continue;
    }

    private void Edit(HttpExchange exchange)
    {
        var headers = exchange.RequestHeaders;
        if (exchange.FromTrustedProxy)
        {
            if (!add) return;
            var prior = headers[ForwardedFor];
            var peer = exchange.PeerAddress?.ToString();
            // A proxy that said who its client is only in Forwarded (RFC 7239): that client, then the proxy.
            if (StringValues.IsNullOrEmpty(prior) && exchange.ClientAddress is { } named && !named.Equals(exchange.PeerAddress)) prior = named.ToString();
            if (peer is not null) headers[ForwardedFor] = StringValues.IsNullOrEmpty(prior) ? peer : string.Join(", ", prior.ToString(), peer);
            if (!headers.ContainsKey(ForwardedProto)) headers[ForwardedProto] = exchange.Scheme;
            if (!headers.ContainsKey(ForwardedHost) && exchange.Host.HasValue) headers[ForwardedHost] = exchange.Host.Value;
            return;
        }

        headers.Remove("Forwarded");
        headers.Remove(RealIp);
        if (!add)
        {
            headers.Remove(ForwardedFor);
            headers.Remove(ForwardedProto);
            headers.Remove(ForwardedHost);
            return;
        }

        if (exchange.ClientAddress is { } client) headers[ForwardedFor] = client.ToString();
        else headers.Remove(ForwardedFor);
        headers[ForwardedProto] = exchange.Scheme;
        var host = exchange.Host;
        if (host.HasValue) headers[ForwardedHost] = host.Value;
        else headers.Remove(ForwardedHost);
    }
}
