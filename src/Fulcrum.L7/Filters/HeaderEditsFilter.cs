using Fulcrum.Core.Configuration;
using Fulcrum.L7.Exchange;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Filters;

/// <summary>
/// `transforms.request-headers` (on the request, stage <see cref="FilterStage.RequestEdits"/>) or
/// `transforms.response-headers` (on the response, stage <see cref="FilterStage.ResponseEdits"/>): remove, then set, then add.
/// </summary>
internal sealed class HeaderEditsFilter : HttpFilter
{
    private readonly HeaderEdits _edits;

    private HeaderEditsFilter(HeaderEdits edits, FilterHooks hooks)
    {
        _edits = edits;
        Hooks = hooks;
    }

    public override FilterHooks Hooks { get; }

    public static HeaderEditsFilter OnRequest(HeaderEdits edits) => new(edits, FilterHooks.RequestHead);

    public static HeaderEditsFilter OnResponse(HeaderEdits edits) => new(edits, FilterHooks.ResponseHead);

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        Apply(exchange.RequestHeaders);
        return Continue;
    }

    public override void OnResponseHead(HttpExchange exchange) => Apply(exchange.ResponseHeaders);

    private void Apply(IHeaderDictionary headers)
    {
        foreach (var name in _edits.Remove) headers.Remove(name);
        foreach (var (name, value) in _edits.Set) headers[name] = value;
        foreach (var (name, value) in _edits.Add) headers.Append(name, value);
    }
}
