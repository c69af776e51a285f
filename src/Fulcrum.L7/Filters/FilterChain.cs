using System.Runtime.CompilerServices;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Filters;

/// <summary>
/// One route's filters in stage order (<see cref="FilterStage"/>), built once per topology generation. The request
/// runs down the chain; a filter that answers stops it there, and its answer goes back up through the response hooks
/// of the filters above it only. Otherwise the backend answers and the response runs up through all of them.
/// Each hook is called only on the filters that declare it, so a route pays for the filters and hooks it has.
/// </summary>
internal sealed class FilterChain
{
    public static readonly FilterChain Empty = new([]);

    private readonly IHttpFilter[] _filters;
    private readonly FilterHooks _hooks;

    public FilterChain(IHttpFilter[] filters)
    {
        _filters = filters;
        foreach (var filter in filters) _hooks |= filter.Hooks;
    }

    public int Count => _filters.Length;

    /// <summary>
    /// Runs the request-head hooks, then (when no filter answered) the request-body hooks. Returns the index of the
    /// filter that answered, or -1 when the request goes on to the backend.
    /// </summary>
    public ValueTask<int> RunRequestAsync(HttpExchange exchange)
    {
        if ((_hooks & FilterHooks.RequestHead) != 0)
        {
            for (var i = 0; i < _filters.Length; i++)
            {
                var filter = _filters[i];
                if ((filter.Hooks & FilterHooks.RequestHead) == 0) continue;
                var result = filter.OnRequestHeadAsync(exchange);
                if (!result.IsCompletedSuccessfully) return AwaitRequestAsync(exchange, i, result);
                if (result.Result == FilterResult.Answered) return new(i);
            }
        }

        RunRequestBody(exchange);
        return new(-1);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> AwaitRequestAsync(HttpExchange exchange, int at, ValueTask<FilterResult> pending)
    {
        if (await pending == FilterResult.Answered) return at;
        for (var i = at + 1; i < _filters.Length; i++)
        {
            var filter = _filters[i];
            if ((filter.Hooks & FilterHooks.RequestHead) == 0) continue;
            if (await filter.OnRequestHeadAsync(exchange) == FilterResult.Answered) return i;
        }

        RunRequestBody(exchange);
        return -1;
    }

    private void RunRequestBody(HttpExchange exchange)
    {
        if ((_hooks & FilterHooks.RequestBody) == 0) return;
        foreach (var filter in _filters)
        {
            if ((filter.Hooks & FilterHooks.RequestBody) != 0) filter.OnRequestBody(exchange);
        }
    }

    /// <summary>
    /// The response hooks of the filters above <paramref name="answeredBy"/> (all of them for a backend's answer,
    /// <see cref="Count"/>): head hooks bottom to top, then body hooks top to bottom. The body hooks run that way round
    /// because each puts its stream over the one before: the filter nearest the client wraps the client's stream
    /// first, so the filter nearest the backend is outermost and sees the bytes first, the order the head hooks see
    /// the head in (a compressor below the cache writes into the cache's capture, which stores the encoded bytes).
    /// </summary>
    public void RunResponse(HttpExchange exchange, int answeredBy)
    {
        if ((_hooks & (FilterHooks.ResponseHead | FilterHooks.ResponseBody)) == 0) return;
        for (var i = answeredBy - 1; i >= 0; i--)
        {
            var filter = _filters[i];
            if ((filter.Hooks & FilterHooks.ResponseHead) != 0) filter.OnResponseHead(exchange);
        }

        if ((_hooks & FilterHooks.ResponseBody) == 0) return;
        for (var i = 0; i < answeredBy; i++)
        {
            var filter = _filters[i];
            if ((filter.Hooks & FilterHooks.ResponseBody) != 0) filter.OnResponseBody(exchange);
        }
    }

    /// <summary>True when a filter of the chain wants to know that a response body ended (<see cref="RunResponseEndAsync"/>).</summary>
    public bool HasResponseEnd => (_hooks & FilterHooks.ResponseEnd) != 0;

    /// <summary>
    /// The end hooks of the filters above <paramref name="answeredBy"/>, bottom to top (the bytes' direction), after
    /// the whole body went out. Called only when it did.
    /// </summary>
    public async ValueTask RunResponseEndAsync(HttpExchange exchange, int answeredBy)
    {
        if ((_hooks & FilterHooks.ResponseEnd) == 0) return;
        for (var i = answeredBy - 1; i >= 0; i--)
        {
            var filter = _filters[i];
            if ((filter.Hooks & FilterHooks.ResponseEnd) != 0) await filter.OnResponseEndAsync(exchange);
        }
    }

    /// <summary>The filters after <paramref name="filter"/>, as a chain of their own (what a cache's own fetches run through).</summary>
    public FilterChain After(IHttpFilter filter)
    {
        var at = Array.IndexOf(_filters, filter);
        return at < 0 ? this : new FilterChain(_filters[(at + 1)..]);
    }

    /// <summary>Sends the answer set with <see cref="HttpExchange.SetAnswer"/> up through the response hooks and to the client.</summary>
    public Task WriteAnswerAsync(HttpExchange exchange, int answeredBy)
    {
        if (exchange.ResponseStarted) return Task.CompletedTask;
        RunResponse(exchange, answeredBy);
        if (exchange.Status >= 300 && Grpc.GrpcAnswer.IsGrpc(exchange))
        {
            // A gRPC client reads grpc-status, not the HTTP status: the same refusal as a Trailers-Only answer.
            Grpc.GrpcAnswer.TrailersOnly(exchange);
            return Task.CompletedTask;
        }

        var body = exchange.AnswerBody;
        if (HasResponseEnd) return WriteAndEndAsync(exchange, answeredBy, body);
        if (Microsoft.AspNetCore.Http.HttpMethods.IsHead(exchange.Method)) return Task.CompletedTask;
        if (exchange.AnswerContent is { } content) return content.WriteToAsync(exchange.ResponseBody, exchange.Aborted).AsTask();
        if (body.Length == 0) return Task.CompletedTask;
        return exchange.ResponseBody.WriteAsync(body, exchange.Aborted).AsTask();
    }

    private async Task WriteAndEndAsync(HttpExchange exchange, int answeredBy, ReadOnlyMemory<byte> body)
    {
        if (!Microsoft.AspNetCore.Http.HttpMethods.IsHead(exchange.Method))
        {
            if (exchange.AnswerContent is { } content) await content.WriteToAsync(exchange.ResponseBody, exchange.Aborted);
            else if (body.Length > 0) await exchange.ResponseBody.WriteAsync(body, exchange.Aborted);
        }

        await RunResponseEndAsync(exchange, answeredBy);
    }
}
