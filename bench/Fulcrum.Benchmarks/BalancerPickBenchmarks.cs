using BenchmarkDotNet.Attributes;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Hashing;
using Fulcrum.Core.Model;

namespace Fulcrum.Benchmarks;

/// <summary>
/// Nanoseconds and bytes per <see cref="IBalancer.Pick"/> for every registered algorithm over 3, 30
/// and 300 backends. Backends have mixed weights (1..5), some active leases, latency and byte samples,
/// and one in ten is down, so every algorithm does its real work (skipping, comparing, rehashing).
/// A pick must allocate 0 B.
/// </summary>
[MemoryDiagnoser]
public class BalancerPickBenchmarks
{
    private IBalancer _balancer = null!;
    private ulong _key;

    public static IEnumerable<string> Algorithms => BalancerRegistry.Names.Order(StringComparer.Ordinal);

    [ParamsSource(nameof(Algorithms))]
    public string Algorithm { get; set; } = "round-robin";

    [Params(3, 30, 300)]
    public int Backends { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var time = TimeProvider.System;
        var backends = new Backend[Backends];
        for (var i = 0; i < backends.Length; i++)
        {
            var b = new Backend($"backend-{i}", $"127.0.0.1:{10000 + i}", 1 + i % 5);
            b.Acquire(time).Release(Outcome.Success, 1000 * (i % 7), 500);
            for (var a = 0; a < i % 4; a++) b.Acquire(time); // held: active work in flight
            if (i % 10 == 9) b.Health = HealthStatus.Down;
            backends[i] = b;
        }

        _balancer = BalancerRegistry.Get(Algorithm).Create(backends, new BalancerServices(time, Random.Shared));
    }

    [Benchmark]
    public Backend? Pick()
    {
        // A different, well-mixed key per pick, as from many clients (ignored by non-hash balancers).
        _key += 0x9E3779B97F4A7C15UL;
        return _balancer.Pick(new PickContext(KeyHash.Mix(_key)));
    }
}
