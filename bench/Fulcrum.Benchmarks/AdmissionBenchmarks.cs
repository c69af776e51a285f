using BenchmarkDotNet.Attributes;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Protection;

namespace Fulcrum.Benchmarks;

/// <summary>
/// What a pool's circuit breaker and adaptive limit add to one request (docs/protection.md): admit, take a connection
/// slot, complete with a latency sample. A request to a pool without either pays none of it (no gate on its route).
/// </summary>
[MemoryDiagnoser]
public class AdmissionBenchmarks
{
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(2);
    private PoolAdmission _breaker = null!;
    private PoolAdmission _both = null!;

    [GlobalSetup]
    public void Setup()
    {
        _breaker = new PoolAdmission("bench", TimeProvider.System, new Random(1));
        _breaker.Configure(new CircuitBreakerConfig(), null);
        _both = new PoolAdmission("bench", TimeProvider.System, new Random(1));
        _both.Configure(new CircuitBreakerConfig(), new AdaptiveConcurrencyConfig { FixedMinRtt = Latency, MinConcurrency = 100 });
    }

    [Benchmark(Baseline = true)]
    public AdmissionDecision Breaker() => Run(_breaker);

    [Benchmark]
    public AdmissionDecision BreakerAndAdaptiveLimit() => Run(_both);

    private static AdmissionDecision Run(PoolAdmission admission)
    {
        var decision = admission.TryAdmit(RequestPriority.Normal, limited: true, out var ticket);
        var slot = admission.TakeSlotAsync(TimeSpan.FromSeconds(5), CancellationToken.None).Result;
        admission.Complete(ticket, slot == AdmissionDecision.Admitted, Latency);
        return decision;
    }
}
