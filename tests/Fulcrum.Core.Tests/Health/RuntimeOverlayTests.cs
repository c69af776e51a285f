using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests.Health;

public sealed class RuntimeOverlayTests
{
    private static HealthTestBed Bed() => new(HealthTestBed.PoolOf(3));

    private static void Reload(HealthTestBed bed, Func<PoolConfig, PoolConfig>? change = null)
    {
        var pool = bed.Pool.Config;
        bed.Store.Apply(HealthTestBed.Config(change is null ? pool : change(pool)));
    }

    [Fact]
    public void OperatorWeight_SurvivesAReload_UntilTheFileChangesThatBackend()
    {
        var bed = Bed();
        Assert.True(bed.Operations.SetWeight("p", "a", 7).Ok);
        Reload(bed);
        Assert.Equal(7, bed["a"].Weight);
        Reload(bed, p => p with { Backends = p.Backends.SetItem(1, p.Backends[1] with { Weight = 4 }) });
        Assert.Equal(7, bed["a"].Weight); // another backend changed: the override holds
        Reload(bed, p => p with { Backends = p.Backends.SetItem(0, p.Backends[0] with { Weight = 3 }) });
        Assert.Equal(3, bed["a"].Weight); // the file changed a: the file wins
        Reload(bed, p => p with { Backends = p.Backends.SetItem(0, p.Backends[0] with { Weight = 3 }) });
        Assert.Equal(3, bed["a"].Weight);
    }

    [Fact]
    public void AddedBackend_SurvivesAReload_UntilTheFileDeclaresTheSameId()
    {
        var bed = Bed();
        var added = new BackendConfig { Name = "n", Address = "127.0.0.1:9100", Weight = 2 };
        Assert.True(bed.Operations.Add("p", added).Ok);
        Reload(bed);
        Assert.Equal("127.0.0.1:9100", bed["n"].Address);
        Reload(bed, p => p with { Backends = p.Backends.Add(added with { Address = "127.0.0.1:9200" }) });
        Assert.Equal("127.0.0.1:9200", bed["n"].Address);
        Reload(bed, p => p with { Backends = p.Backends.RemoveAt(3) });
        Assert.Null(bed.Pool.Find("n")); // the overlay forgot it when the file took it over
    }

    [Fact]
    public void RemovedBackend_StaysRemovedAcrossAReload_UnlessTheFileChangesIt()
    {
        var bed = Bed();
        Assert.True(bed.Operations.Remove("p", "a").Ok);
        Reload(bed);
        Assert.Null(bed.Pool.Find("a"));
        Reload(bed, p => p with { Backends = p.Backends.SetItem(0, p.Backends[0] with { Weight = 9 }) });
        Assert.Equal(9, bed["a"].Weight);
    }

    [Fact]
    public void Maintenance_SurvivesAReload_WhileTheAddressStays()
    {
        var bed = Bed();
        bed.Operations.Maintenance("p", "a");
        Reload(bed);
        Assert.Equal(BackendState.Maintenance, bed["a"].State);
        Reload(bed, p => p with { Backends = p.Backends.SetItem(0, p.Backends[0] with { Address = "127.0.0.1:9900" }) });
        Assert.Equal(BackendState.Up, bed["a"].State);
    }

    [Theory]
    [InlineData("nope", "a", OperationError.PoolNotFound)]
    [InlineData("p", "zz", OperationError.BackendNotFound)]
    public void Operations_OnUnknownNames_ReturnErrors(string pool, string id, OperationError error)
    {
        var bed = Bed();
        Assert.Equal(error, bed.Operations.Drain(pool, id).Error);
        Assert.Equal(error, bed.Operations.SetWeight(pool, id, 1).Error);
        Assert.Equal(error, bed.Operations.Remove(pool, id).Error);
    }

    [Fact]
    public void Operations_RejectBadInput()
    {
        var bed = Bed();
        Assert.Equal(OperationError.Invalid, bed.Operations.SetWeight("p", "a", -1).Error);
        Assert.Equal(OperationError.Invalid, bed.Operations.Add("p", new BackendConfig { Address = "no-port" }).Error);
        Assert.Equal(OperationError.Conflict, bed.Operations.Add("p", new BackendConfig { Name = "a", Address = "127.0.0.1:1" }).Error);
    }

    [Fact]
    public void AddedBackend_MayRepeatThePoolsScheme_ButNotContradictIt()
    {
        var plain = Bed();
        var added = plain.Operations.Add("p", new BackendConfig { Address = "http://127.0.0.1:9300" });
        Assert.True(added.Ok);
        Assert.NotNull(plain.Pool.Find("127.0.0.1:9300"));
        var refused = plain.Operations.Add("p", new BackendConfig { Address = "https://127.0.0.1:9301" });
        Assert.Equal(OperationError.Invalid, refused.Error);
        Assert.Contains("pool 'p' speaks plain http", refused.Message);

        var secure = new HealthTestBed(HealthTestBed.PoolOf(1) with { Tls = PoolTlsConfig.Default });
        Assert.True(secure.Operations.Add("p", new BackendConfig { Address = "https://api.internal" }).Ok);
        Assert.NotNull(secure.Pool.Find("api.internal:443"));
        Assert.Equal(OperationError.Invalid, secure.Operations.Add("p", new BackendConfig { Address = "http://127.0.0.1:9302" }).Error);
    }
}
