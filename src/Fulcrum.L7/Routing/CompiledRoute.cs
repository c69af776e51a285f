using Fulcrum.Core.Configuration;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;
using Fulcrum.L7.Forwarding;

namespace Fulcrum.L7.Routing;

/// <summary>
/// A route ready for the hot path: its conditions (all must hold), its filter chain, and the backend target the
/// request goes to when no filter answered (null when a filter of the chain always answers: redirects, fixed answers).
/// </summary>
internal sealed class CompiledRoute(string name, IRequestMatcher[] conditions, FilterChain chain, IBackendTarget? target, SourceLocation location,
    Fulcrum.Core.Observability.RouteStats? stats = null)
{
    public string Name => name;
    public FilterChain Chain => chain;
    public IBackendTarget? Target => target;
    public SourceLocation Location => location;
    /// <summary>The route's request counts and latency; null for the listener's no-route answer.</summary>
    public Fulcrum.Core.Observability.RouteStats? Stats => stats;

    public bool Matches(HttpExchange exchange)
    {
        foreach (var condition in conditions)
        {
            if (!condition.Matches(exchange)) return false;
        }

        return true;
    }

    /// <summary>Runs the chain down; then the backend, or the answer of the filter that stopped it.</summary>
    public Task ExecuteAsync(HttpExchange exchange)
    {
        var run = chain.RunRequestAsync(exchange);
        return run.IsCompletedSuccessfully ? Continue(exchange, run.Result) : ContinueAsync(exchange, run);
    }

    private async Task ContinueAsync(HttpExchange exchange, ValueTask<int> run) => await Continue(exchange, await run);

    private Task Continue(HttpExchange exchange, int answeredBy)
    {
        if (answeredBy >= 0) return chain.WriteAnswerAsync(exchange, answeredBy);
        if (target is not null) return target.ForwardAsync(exchange, chain);
        // A chain without a target always answers (RouteCompiler); this is a bug, not the client's.
        Answers.PlainTextAnswer.Set(exchange, 500, Answers.PlainTextAnswer.NoAction);
        return chain.WriteAnswerAsync(exchange, chain.Count);
    }
}
