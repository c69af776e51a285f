using Fulcrum.L7.Answers;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Filters;

/// <summary>
/// Always answers with a status and a plain-text line: the listener's 404 when no route matches, and a route naming
/// a pool the config lacks (validation normally stops that) with 503.
/// </summary>
internal sealed class PlainTextAnswerFilter(int status, byte[] body) : HttpFilter
{
    public static readonly PlainTextAnswerFilter NoRoute = new(404, PlainTextAnswer.NoRoute);

    public static PlainTextAnswerFilter UnknownPool(string pool) => new(503, PlainTextAnswer.UnknownPool(pool));

    public override FilterHooks Hooks => FilterHooks.RequestHead;

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        PlainTextAnswer.Set(exchange, status, body);
        return Answered;
    }
}
