using Fulcrum.L7.Exchange;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Filters;

/// <summary>
/// `forwarded-headers` on the listener: X-Forwarded-For (appended, like nginx's $proxy_add_x_forwarded_for: earlier
/// proxies stay listed, the client is last), X-Forwarded-Proto and X-Forwarded-Host (replaced).
/// </summary>
internal sealed class ForwardedHeadersFilter : HttpFilter
{
    private const string ForwardedFor = "X-Forwarded-For";
    private const string ForwardedProto = "X-Forwarded-Proto";
    private const string ForwardedHost = "X-Forwarded-Host";

    public static readonly ForwardedHeadersFilter Instance = new();

    public override FilterHooks Hooks => FilterHooks.RequestHead;

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        var headers = exchange.RequestHeaders;
        if (exchange.ClientAddress is { } client)
        {
            var prior = headers[ForwardedFor];
            headers[ForwardedFor] = StringValues.IsNullOrEmpty(prior) ? client.ToString() : string.Join(", ", prior.ToString(), client.ToString());
        }

        headers[ForwardedProto] = exchange.Scheme;
        var host = exchange.Host;
        if (host.HasValue) headers[ForwardedHost] = host.Value;
        else headers.Remove(ForwardedHost);
        return Continue;
    }
}
