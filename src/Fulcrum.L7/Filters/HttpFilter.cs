using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Filters;

/// <summary>A filter's base: every hook a no-op, so a filter overrides only what it declares in <see cref="Hooks"/>.</summary>
internal abstract class HttpFilter : IHttpFilter
{
    protected static readonly ValueTask<FilterResult> Continue = new(FilterResult.Continue);
    protected static readonly ValueTask<FilterResult> Answered = new(FilterResult.Answered);

    public abstract FilterHooks Hooks { get; }

    public virtual ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange) => Continue;

    public virtual void OnRequestBody(HttpExchange exchange)
    {
    }

    public virtual void OnResponseHead(HttpExchange exchange)
    {
    }

    public virtual void OnResponseBody(HttpExchange exchange)
    {
    }

    public virtual ValueTask OnResponseEndAsync(HttpExchange exchange) => ValueTask.CompletedTask;
}
