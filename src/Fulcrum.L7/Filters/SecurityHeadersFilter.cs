using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Filters;

/// <summary>
/// `transforms.security-headers`: conservative defaults from the OWASP Secure Headers Project, each added only when
/// the response lacks it, so a backend's stricter or looser policy wins. No HSTS: it is only meaningful on https and
/// hard to take back, so it is the https listener's own `tls.hsts`.
/// </summary>
internal sealed class SecurityHeadersFilter : HttpFilter
{
    public static readonly KeyValuePair<string, string>[] Preset =
    [
        new("X-Content-Type-Options", "nosniff"),
        new("X-Frame-Options", "DENY"),
        new("Referrer-Policy", "strict-origin-when-cross-origin"),
        new("Content-Security-Policy", "frame-ancestors 'none'"),
    ];

    public static readonly SecurityHeadersFilter Instance = new();

    public override FilterHooks Hooks => FilterHooks.ResponseHead;

    public override void OnResponseHead(HttpExchange exchange)
    {
        var headers = exchange.ResponseHeaders;
        foreach (var (name, value) in Preset)
        {
            if (!headers.ContainsKey(name)) headers[name] = value;
        }
    }
}
