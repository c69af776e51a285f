using Fulcrum.Core.Configuration;
using Fulcrum.L7.Exchange;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Filters;

/// <summary>
/// `transforms.request-headers` (on the request, stage <see cref="FilterStage.RequestEdits"/>) or
/// `transforms.response-headers` (on the response, stage <see cref="FilterStage.ResponseEdits"/>): remove, then set, then add.
/// A value may have variables (`${client_ip}`, `${1}`...: <see cref="TemplateRenderer"/>), filled per request; a plain
/// value costs what it did before.
/// </summary>
internal sealed class HeaderEditsFilter : HttpFilter
{
    private readonly HeaderEdits _edits;
    private readonly TemplateRenderer?[] _set;
    private readonly TemplateRenderer?[] _add;
    private readonly string[] _setPlain;
    private readonly string[] _addPlain;

    private HeaderEditsFilter(HeaderEdits edits, FilterHooks hooks, Regex? captures)
    {
        _edits = edits;
        Hooks = hooks;
        _set = [.. edits.Set.Select(e => TemplateRenderer.For(e.Value, captures, TemplateTarget.Header))];
        _add = [.. edits.Add.Select(e => TemplateRenderer.For(e.Value, captures, TemplateTarget.Header))];
        _setPlain = [.. edits.Set.Select(static e => Plain(e.Value))];
        _addPlain = [.. edits.Add.Select(static e => Plain(e.Value))];
    }

    public override FilterHooks Hooks { get; }

    /// <param name="captures">The route's path-regex, whose captures `${1}` and `${name}` name; null without one.</param>
    public static HeaderEditsFilter OnRequest(HeaderEdits edits, Regex? captures = null) => new(edits, FilterHooks.RequestHead, captures);

    public static HeaderEditsFilter OnResponse(HeaderEdits edits, Regex? captures = null) => new(edits, FilterHooks.ResponseHead, captures);

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        Apply(exchange, exchange.RequestHeaders);
        return Continue;
    }

    public override void OnResponseHead(HttpExchange exchange) => Apply(exchange, exchange.ResponseHeaders);

    private void Apply(HttpExchange exchange, IHeaderDictionary headers)
    {
        foreach (var name in _edits.Remove) headers.Remove(name);
        var set = _edits.Set;
        for (var i = 0; i < set.Length; i++) headers[set[i].Key] = _set[i]?.Render(exchange) ?? _setPlain[i];
        var add = _edits.Add;
        for (var i = 0; i < add.Length; i++) headers.Append(add[i].Key, _add[i]?.Render(exchange) ?? _addPlain[i]);
    }

    // A value without variables, its `$${` escapes resolved (the parser has checked it; one that does not parse stays as written).
    private static string Plain(string value) => ValueTemplate.Parse(value, out _)?.Plain ?? value;
}
