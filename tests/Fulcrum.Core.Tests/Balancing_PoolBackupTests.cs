using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

public sealed class PoolBackupTests
{
    [Theory]
    [MemberData(nameof(AllBalancersTests.Algorithms), MemberType = typeof(AllBalancersTests))]
    public void Pool_UsesBackupsOnlyWhenNoPrimaryIsUsable(string algorithm)
    {
        // Panic mode off: with it on, a pool with nothing up spreads over its primaries (see PanicModeTests).
        var backends = new[]
        {
            new Backend("p1", "127.0.0.1:9001", 1),
            new Backend("p2", "127.0.0.1:9002", 1),
            new Backend("spare", "127.0.0.1:9003", 1, isBackup: true),
        };
        var pool = new Pool(new PoolConfig { Name = "api", Algorithm = algorithm, Health = new HealthConfig { PanicThreshold = 0 } }, backends,
            new BalancerServices(new ManualTimeProvider(), new Random(3)));

        for (var i = 0; i < 50; i++) Assert.StartsWith("p", pool.Pick(new PickContext((ulong)i * 7919))!.Id);
        backends[0].Health = HealthStatus.Down;
        for (var i = 0; i < 50; i++) Assert.Equal("p2", pool.Pick(new PickContext((ulong)i * 7919))!.Id);
        backends[1].Intent = OperatorIntent.Maintenance;
        for (var i = 0; i < 50; i++) Assert.Equal("spare", pool.Pick(new PickContext((ulong)i * 7919))!.Id);
        backends[2].Health = HealthStatus.Down;
        Assert.Null(pool.Pick(PickContext.None));
        backends[0].Health = HealthStatus.Up;
        Assert.Equal("p1", pool.Pick(PickContext.None)!.Id);
    }
}
