using BenchmarkDotNet.Attributes;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;

namespace Fulcrum.Benchmarks;

/// <summary>
/// What a route's filter chain costs a request, down and back up, without the network: a route with no filters (what
/// a route pays for the filters other routes use), the filters a plain route gets by default (X-Request-ID,
/// X-Forwarded-*), and those plus response edits and served-by. A chain allocates nothing of its own; the bytes shown
/// are the filters' header values (the id, the X-Forwarded-For text).
/// </summary>
[MemoryDiagnoser]
public class FilterChainBenchmarks
{
    private readonly BenchExchange _exchange = new();
    private FilterChain _chain = FilterChain.Empty;

    [Params("none", "default", "default+edits")]
    public string Route { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        IHttpFilter[] defaults = [new RequestIdFilter(Random.Shared), ForwardedHeadersFilter.Adding];
        var edits = HeaderEditsFilter.OnResponse(new HeaderEdits { Set = [new("Cache-Control", "no-store")] });
        var servedBy = new ServedByFilter.Factory().Create(new FilterConfig { Name = "served-by" }, [])!;
        _chain = Route switch
        {
            "none" => FilterChain.Empty,
            "default" => new FilterChain(defaults),
            _ => new FilterChain([new RequestIdFilter(Random.Shared), edits, SecurityHeadersFilter.Instance, ForwardedHeadersFilter.Adding, servedBy]),
        };
    }

    /// <summary>The exchange's per-request reset alone, to subtract from <see cref="RequestAndResponse"/>.</summary>
    [Benchmark(Baseline = true)]
    public void ResetOnly()
    {
        _exchange.Begin();
        _exchange.Backend = Backend;
    }

    [Benchmark]
    public int RequestAndResponse()
    {
        var exchange = _exchange;
        exchange.Begin();
        exchange.Backend = Backend;
        var answered = _chain.RunRequestAsync(exchange).Result;
        _chain.RunResponse(exchange, _chain.Count);
        return answered;
    }

    /// <summary>What the listener checks before routing, whatever the route: StrictRequest and the Connection-named headers.</summary>
    [Benchmark]
    public bool FrontChecks()
    {
        var exchange = _exchange;
        exchange.Begin();
        exchange.Backend = Backend;
        var refused = StrictRequest.Problem(exchange.RequestHeaders) is not null;
        ConnectionOptions.RemoveNamed(exchange);
        return refused;
    }

    private static readonly Backend Backend = new("b1", "127.0.0.1:9001", 1);
}
