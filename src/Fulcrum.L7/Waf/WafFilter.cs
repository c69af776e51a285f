using System.Net;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Observability;
using Fulcrum.L7.Answers;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Waf;

/// <summary>
/// A route's `waf` (docs/protection.md): each request's head and body (up to `body-limit`) go through the OWASP CRS in
/// ModSecurity before the backend hears of the request. In `block` mode what the rules refuse is answered with their
/// status (403); in `detect` mode it is counted and logged and goes on. Either way a flagged request's access log line
/// carries `protection: waf:REASON` and the ids of the rules that matched (`waf_rules`).
/// </summary>
internal sealed class WafFilter : HttpFilter
{
    private const string Protection = "waf";
    private static readonly byte[] Refused = Encoding.UTF8.GetBytes("403 forbidden: this route's web application firewall refused the request\n");
    private static readonly byte[] TooLarge = Encoding.UTF8.GetBytes("413 content too large: the request body is over this route's WAF body-limit\n");
    private static readonly int TooLargeReason = WafReasons.IndexOf(WafReasons.BodyTooLarge);
    private static readonly int BadBodyReason = WafReasons.IndexOf(WafReasons.BadBody);

    private readonly WafRules _rules;
    private readonly WafConfig _config;
    private readonly IPEndPoint _server;
    private readonly ProtectionCounter _allowed;
    private readonly ProtectionStats _stats;
    private readonly string _listener;
    private readonly string _route;
    private readonly string _decision;
    // One counter a reason (WafReasons.All), `rejected` in block mode and `detected` in detect mode, each taken the
    // first time its reason comes up, so the metric lists the reasons seen rather than seventeen zeros a route.
    private readonly ProtectionCounter?[] _flagged = new ProtectionCounter?[WafReasons.All.Length];

    public WafFilter(WafRules rules, WafConfig config, IPEndPoint server, ProtectionStats stats, string listener, string route)
    {
        _rules = rules;
        _config = config;
        _server = server;
        _stats = stats;
        _listener = listener;
        _route = route;
        _decision = config.Mode == WafMode.Block ? "rejected" : "detected";
        _allowed = stats.Counter(listener, route, Protection, "allowed");
    }

    public override FilterHooks Hooks => FilterHooks.RequestHead;

    /// <summary>
    /// The route's WAF, on the rule set its config names (loaded now unless a route or a reload already did). When the
    /// rules do not load, the error is reported and the route answers 503: a route meant to be guarded is never served unguarded.
    /// </summary>
    public static IHttpFilter Create(WafConfig config, ListenerConfig listener, string route, FilterServices services, List<ConfigError> errors)
    {
        if (services.Waf.Get(config, out var error) is { } rules)
        {
            return new WafFilter(rules, config, new IPEndPoint(listener.Bind.Address, listener.Bind.Port), services.Protection, listener.Name, route);
        }

        errors.Add(new ConfigError(config.Location, $"waf: {error}"));
        return new PlainTextAnswerFilter(503, Encoding.UTF8.GetBytes("503 service unavailable: this route's web application firewall could not load its rules\n"));
    }

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        if (!exchange.RequestHasBody || exchange.IsUpgradeOrConnect)
        {
            return new(Decide(exchange, WafTransaction.Inspect(_rules, exchange, _server, default), partial: false));
        }

        if (exchange.RequestContentLength > _config.BodyLimit && _config.OverLimit == WafBodyOverLimit.Reject)
        {
            return new(OverLimit(exchange, null)); // refused on its Content-Length, before a byte of it is read
        }

        return InspectWithBodyAsync(exchange);
    }

    private async ValueTask<FilterResult> InspectWithBodyAsync(HttpExchange exchange)
    {
        WafBufferedBody body;
        try
        {
            body = await WafBufferedBody.ReadAsync(exchange.RequestBody, _config.BodyLimit, exchange.RequestContentLength, exchange.Aborted);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            // The client's body broke off (shorter than announced, a bad chunk, over max-body-size): the front end's verdict.
            var status = e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest;
            PlainTextAnswer.Set(exchange, status, status == 413 ? PlainTextAnswer.BodyTooLarge : PlainTextAnswer.BadRequestBody);
            return FilterResult.Answered;
        }

        if (body.HasMore && _config.OverLimit == WafBodyOverLimit.Reject) return OverLimit(exchange, body);
        var verdict = WafTransaction.Inspect(_rules, exchange, _server, body.Inspected);
        var result = Decide(exchange, verdict, partial: body.HasMore);
        if (result == FilterResult.Answered) body.Release();
        else exchange.RequestBody = body; // the backend gets every byte: those read, then the rest as it comes
        return result;
    }

    private FilterResult Decide(HttpExchange exchange, in WafVerdict verdict, bool partial)
    {
        // A body cut at the limit may not parse (half a JSON document): that is the cut's doing, not the client's.
        if (!verdict.Flagged || (partial && verdict.Reason == BadBodyReason))
        {
            _allowed.Increment();
            return FilterResult.Continue;
        }

        var counter = Flagged(verdict.Reason);
        counter.Increment();
        exchange.Record.Protection = counter.LogText;
        exchange.Record.WafRules = verdict.Rules;
        if (_config.Mode != WafMode.Block) return FilterResult.Continue;

        PlainTextAnswer.Set(exchange, verdict.Status, verdict.Status == 403 ? Refused : Encoding.UTF8.GetBytes($"{verdict.Status} refused by this route's web application firewall\n"));
        if (verdict.RedirectTo is { } location && verdict.Status is >= 300 and < 400) exchange.ResponseHeaders.Location = location;
        return FilterResult.Answered;
    }

    // A body longer than body-limit with `body-over-limit: reject`: 413 in block mode; in detect mode counted, and
    // forwarded whole without inspection, as block mode would have refused it before any rule ran.
    private FilterResult OverLimit(HttpExchange exchange, WafBufferedBody? body)
    {
        var counter = Flagged(TooLargeReason);
        counter.Increment();
        exchange.Record.Protection = counter.LogText;
        if (_config.Mode != WafMode.Block)
        {
            if (body is not null) exchange.RequestBody = body;
            return FilterResult.Continue;
        }

        body?.Release();
        PlainTextAnswer.Set(exchange, StatusCodes.Status413PayloadTooLarge, TooLarge);
        return FilterResult.Answered;
    }

    // Two threads racing here get the same counter: ProtectionStats makes one per name.
    private ProtectionCounter Flagged(int reason) =>
        _flagged[reason] ??= _stats.Counter(_listener, _route, Protection, _decision, WafReasons.All[reason]);
}
