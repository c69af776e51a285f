using Fulcrum.Core.Balancing;
using Fulcrum.Core.Cluster;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests.Health;

/// <summary>
/// The hooks a cluster plugs into: every operator change is told to the sink after it took effect and replays through
/// Apply to the same state; a passive ejection is told to the cluster, and one the cluster reports is made here for
/// its time, within max-ejected, without being told back.
/// </summary>
public sealed class SharedStateHooksTests
{
    private static readonly PassiveHealthConfig Five = new() { ConsecutiveFailures = 5, EjectFor = TimeSpan.FromSeconds(30), MaxEjectFor = TimeSpan.FromMinutes(5) };

    [Fact]
    public void OperatorChanges_AreToldToTheSink_AndReplayToTheSameStateElsewhere()
    {
        var here = new HealthTestBed(HealthTestBed.PoolOf(3));
        var there = new HealthTestBed(HealthTestBed.PoolOf(3));
        var sink = new Sink();
        var operations = new BackendOperations(here.Store, sink);

        Assert.True(operations.Drain("p", "a").Ok);
        Assert.True(operations.SetWeight("p", "b", 7).Ok);
        Assert.True(operations.Add("p", new BackendConfig { Name = "d", Address = "127.0.0.1:9010", Weight = 2 }).Ok);
        Assert.True(operations.Maintenance("p", "c").Ok);
        Assert.True(operations.Remove("p", "d").Ok);
        Assert.False(operations.Drain("p", "nope").Ok);

        Assert.Equal([RuntimeChangeKind.Drain, RuntimeChangeKind.Weight, RuntimeChangeKind.Add, RuntimeChangeKind.Maintenance, RuntimeChangeKind.Remove],
            sink.Changes.Select(c => c.Kind));
        foreach (var change in sink.Changes) Assert.True(there.Operations.Apply(change).Ok, change.ToString());
        Assert.Equal(States(here), States(there));
    }

    [Fact]
    public void APassiveEjection_IsToldToTheCluster_AndOneFromTheClusterIsMadeHere_WithoutAnEcho()
    {
        var shared = new Ejections();
        var services = new BalancerServices(new ManualTimeProvider(), new Random(7)) { SharedEjections = shared };
        var pool = HealthTestBed.PoolOf(4) with { Health = new HealthConfig { Passive = Five } };
        var store = new TopologyStore(HealthTestBed.Config(pool), services);
        var a = store.Current.Pools["p"].Find("a")!;
        for (var i = 0; i < 5; i++) a.Acquire(services.Time).Release(Outcome.ServerError);
        Assert.Equal(("p", "a", TimeSpan.FromSeconds(30)), Assert.Single(shared.Told));

        var b = store.Current.Pools["p"].Find("b")!;
        b.HealthDetail.EjectShared(TimeSpan.FromSeconds(12), "5 failures in a row, seen by lb-2");
        Assert.True(b.HealthDetail.IsEjected);
        Assert.Equal(TimeSpan.FromSeconds(12), b.HealthDetail.EjectionLeft);
        Assert.Single(shared.Told);

        // max-ejected (50% by default: two of four) holds for shared ejections too.
        var c = store.Current.Pools["p"].Find("c")!;
        c.HealthDetail.EjectShared(TimeSpan.FromSeconds(12), "seen elsewhere");
        Assert.False(c.HealthDetail.IsEjected);
    }

    private static List<string> States(HealthTestBed bed) =>
        [.. bed.Pool.Backends.Select(b => $"{b.Id} {b.State} {b.Weight}").Order(StringComparer.Ordinal)];

    private sealed class Sink : IRuntimeChangeSink
    {
        public List<RuntimeChange> Changes { get; } = [];

        public void Changed(RuntimeChange change) => Changes.Add(change);
    }

    private sealed class Ejections : ISharedEjections
    {
        public List<(string Pool, string Backend, TimeSpan Duration)> Told { get; } = [];

        public void Ejected(string pool, string backend, TimeSpan duration, string reason) => Told.Add((pool, backend, duration));
    }
}
