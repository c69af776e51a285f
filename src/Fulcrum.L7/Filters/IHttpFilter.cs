using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Filters;

/// <summary>
/// One edge feature on a route's request path, over Fulcrum's own <see cref="HttpExchange"/> (never the front end's
/// objects), so it works whichever front end carried the request. Built once per route and topology generation and
/// shared by every request of the route: keep per-request state in the exchange, not in fields.
/// </summary>
internal interface IHttpFilter
{
    /// <summary>The hooks this filter implements; the chain calls no other.</summary>
    FilterHooks Hooks { get; }

    /// <summary>
    /// The request head, before the backend is chosen: read or edit it, or answer (set the response and return
    /// <see cref="FilterResult.Answered"/>). Return a completed ValueTask when there is nothing to wait for.
    /// </summary>
    ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange);

    /// <summary>Before the body is sent on: a filter may put a stream over <see cref="HttpExchange.RequestBody"/>.</summary>
    void OnRequestBody(HttpExchange exchange);

    /// <summary>The response head, from the backend or an answer, before a byte of it reaches the client.</summary>
    void OnResponseHead(HttpExchange exchange);

    /// <summary>After the response head: a filter may put a stream over <see cref="HttpExchange.ResponseBody"/>.</summary>
    void OnResponseBody(HttpExchange exchange);

    /// <summary>
    /// The whole body went through the streams the body hooks put over <see cref="HttpExchange.ResponseBody"/>: a
    /// filter may write what is left (a compressor's last block, a stored body) and finish what it kept (the cache
    /// stores what it captured). Not called when the body broke off.
    /// </summary>
    ValueTask OnResponseEndAsync(HttpExchange exchange);
}
