using Fulcrum.Core.Configuration;
using Fulcrum.Core.Handover;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests.Health;

/// <summary>
/// <see cref="BackendOperations.ApplyDiscovered"/>: what a discovery source finds becomes the pool's discovered backends
/// in one generation, through the runtime overlay, so new ones slow-start and gone ones drain, and the file's and the
/// operator's backends are never touched.
/// </summary>
public sealed class DiscoveredBackendsTests
{
    private static BackendConfig Found(string address, int weight = 1) =>
        new() { Address = address, Weight = weight, DiscoveredBy = "dns:api.test:80" };

    private static HealthTestBed Bed() => new(HealthTestBed.PoolOf(1) with { SlowStart = TimeSpan.FromSeconds(30), DrainTimeout = TimeSpan.FromSeconds(30) });

    [Fact]
    public void FoundBackends_JoinInOneGeneration_AndSlowStart()
    {
        var bed = Bed();
        var generation = bed.Store.Current.Generation;

        Assert.True(bed.Operations.ApplyDiscovered("p", [Found("10.0.0.1:80"), Found("10.0.0.2:80", 3)]).Ok);

        Assert.Equal(generation + 1, bed.Store.Current.Generation);
        Assert.Equal(["a", "10.0.0.1:80", "10.0.0.2:80"], bed.Pool.Backends.Select(b => b.Id));
        Assert.True(bed["10.0.0.2:80"].InSlowStart);
        Assert.Equal(3, bed["10.0.0.2:80"].Weight);
    }

    [Fact]
    public void TheSameSetAgain_MakesNoGeneration_AndAGoneBackendDrains_WhileTheFilesStays()
    {
        var bed = Bed();
        bed.Operations.ApplyDiscovered("p", [Found("10.0.0.1:80"), Found("10.0.0.2:80")]);
        var held = bed["10.0.0.1:80"].Acquire(bed.Time);
        var generation = bed.Store.Current.Generation;

        bed.Operations.ApplyDiscovered("p", [Found("10.0.0.2:80"), Found("10.0.0.1:80")]);
        Assert.Equal(generation, bed.Store.Current.Generation);

        bed.Operations.ApplyDiscovered("p", [Found("10.0.0.2:80")]);
        Assert.Equal(["a", "10.0.0.2:80"], bed.Pool.Backends.Select(b => b.Id));
        var retiring = Assert.Single(bed.Store.Retiring("p"));
        Assert.Equal("10.0.0.1:80", retiring.Id);
        Assert.Equal(OperatorIntent.Draining, retiring.Intent);
        held.Release(Outcome.Success);
    }

    [Fact]
    public void TheFilesBackend_AndAnOperatorsAddition_WinOverADiscoveredOneAtTheSameAddress_AndAreNeverRemoved()
    {
        var bed = Bed();
        Assert.True(bed.Operations.Add("p", new BackendConfig { Address = "10.0.0.9:80" }).Ok);

        bed.Operations.ApplyDiscovered("p", [Found("127.0.0.1:9000", 5), Found("10.0.0.9:80", 7), Found("10.0.0.1:80")]);
        Assert.Equal(["a", "10.0.0.9:80", "10.0.0.1:80"], bed.Pool.Backends.Select(b => b.Id));
        bed.Operations.ApplyDiscovered("p", []);

        Assert.Equal(["a", "10.0.0.9:80"], bed.Pool.Backends.Select(b => b.Id));
        Assert.Equal(1, bed["10.0.0.9:80"].Weight);
    }

    [Fact]
    public void DiscoveredBackends_SurviveAReload_AndAProcessThatTakesOverKnowsThemAsDiscovered()
    {
        var bed = Bed();
        bed.Operations.ApplyDiscovered("p", [Found("10.0.0.1:80")]);

        bed.Store.Apply(bed.Store.Current.Config);
        Assert.NotNull(bed.Pool.Find("10.0.0.1:80"));

        var successor = new HealthTestBed(bed.Pool.Config, RuntimeStateTransfer.Capture(bed.Store.Current, bed.Store.Overlay));
        Assert.NotNull(successor.Pool.Find("10.0.0.1:80"));
        // Its discovery finds nothing of that address any more: the inherited entry goes, as its own would.
        successor.Operations.ApplyDiscovered("p", [Found("10.0.0.3:80")]);
        Assert.Equal(["a", "10.0.0.3:80"], successor.Pool.Backends.Select(b => b.Id));
    }
}
