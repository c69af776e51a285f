using Fulcrum.L7.Exchange;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Filters;

/// <summary>
/// What the backend learns about the client. From a peer that is not a trusted proxy, every forwarding header the
/// client sent (X-Forwarded-*, Forwarded, X-Real-IP) is removed, never believed; with `forwarded-headers` on (the
/// default) Fulcrum then sets X-Forwarded-For to the client's address and X-Forwarded-Proto and X-Forwarded-Host to
/// what it saw. From a trusted proxy (`trusted-proxies`) they are kept: X-Forwarded-For gets that proxy's address
/// appended (earlier hops stay listed, the nearest is last), and X-Forwarded-Proto and -Host stay as the first proxy
/// set them, since it terminated the client's connection.
/// </summary>
internal sealed class ForwardedHeadersFilter(bool add) : HttpFilter
{
    private const string ForwardedFor = "X-Forwarded-For";
    private const string ForwardedProto = "X-Forwarded-Proto";
    private const string ForwardedHost = "X-Forwarded-Host";

    public static readonly ForwardedHeadersFilter Adding = new(add: true);
    public static readonly ForwardedHeadersFilter StrippingOnly = new(add: false);

    public override FilterHooks Hooks => FilterHooks.RequestHead;

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        var headers = exchange.RequestHeaders;
        if (exchange.FromTrustedProxy)
        {
            if (!add) return Continue;
            var prior = headers[ForwardedFor];
            var peer = exchange.PeerAddress?.ToString();
            if (peer is not null) headers[ForwardedFor] = StringValues.IsNullOrEmpty(prior) ? peer : string.Join(", ", prior.ToString(), peer);
            if (!headers.ContainsKey(ForwardedProto)) headers[ForwardedProto] = exchange.Scheme;
            if (!headers.ContainsKey(ForwardedHost) && exchange.Host.HasValue) headers[ForwardedHost] = exchange.Host.Value;
            return Continue;
        }

        headers.Remove("Forwarded");
        headers.Remove("X-Real-IP");
        if (!add)
        {
            headers.Remove(ForwardedFor);
            headers.Remove(ForwardedProto);
            headers.Remove(ForwardedHost);
            return Continue;
        }

        if (exchange.ClientAddress is { } client) headers[ForwardedFor] = client.ToString();
        else headers.Remove(ForwardedFor);
        headers[ForwardedProto] = exchange.Scheme;
        var host = exchange.Host;
        if (host.HasValue) headers[ForwardedHost] = host.Value;
        else headers.Remove(ForwardedHost);
        return Continue;
    }
}
