using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Health;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.Tests.Health;

/// <summary>The active checker against real sockets, driven through a topology store (no listeners needed).</summary>
public sealed class ActiveProbeTests
{
    private static FulcrumConfig Config(ActiveHealthConfig active, params string[] addresses) => new()
    {
        Pools =
        [
            new PoolConfig
            {
                Name = "app",
                Health = new HealthConfig { Active = active, Passive = new PassiveHealthConfig { ConsecutiveFailures = 0 } },
                Backends = addresses.Select((a, i) => new BackendConfig { Name = $"b{i + 1}", Address = a }).ToImmutableArray(),
            },
        ],
    };

    private static ActiveHealthConfig Fast(ActiveHealthConfig? baseline = null) => (baseline ?? new ActiveHealthConfig()) with
    {
        Interval = TimeSpan.FromMilliseconds(100),
        Timeout = TimeSpan.FromMilliseconds(500),
        Rise = 1,
        Fall = 1,
    };

    [Fact]
    public async Task HttpCheck_PassesOnlyWithTheExpectedStatusAndBody_AndSendsTheHostHeader()
    {
        await using var backend = await HealthBackend.StartAsync("b1");
        var store = new TopologyStore(Config(Fast(new ActiveHealthConfig { Path = "/health", Body = "ok", Host = "probe.example", Expect = new StatusCodeRange(200, 200) }), backend.Address));
        await using var plane = new HealthCheckPlane(store, NullLoggerFactory.Instance);
        plane.Start();
        var b1 = store.Current.Pools["app"].Find("b1")!;

        await Poll.UntilAsync(() => b1.HealthDetail.LastProbe == "passed: 200", "a passing probe");
        Assert.Equal("probe.example", backend.LastHealthHost);

        backend.HealthFails = true; // 503 "unwell": wrong status and no "ok" in the body
        await Poll.UntilAsync(() => b1.Health == HealthStatus.Down, "down on 503");
        Assert.StartsWith("failed: status 503", b1.HealthDetail.LastProbe);
        backend.HealthFails = false;
        await Poll.UntilAsync(() => b1.Health == HealthStatus.Up, "up again");
    }

    [Fact]
    public async Task HttpCheck_FailsWhenTheBodyLacksTheSubstring()
    {
        await using var backend = await HealthBackend.StartAsync("b1");
        var store = new TopologyStore(Config(Fast(new ActiveHealthConfig { Path = "/health", Body = "ready" }), backend.Address));
        await using var plane = new HealthCheckPlane(store, NullLoggerFactory.Instance);
        plane.Start();
        var b1 = store.Current.Pools["app"].Find("b1")!;
        await Poll.UntilAsync(() => b1.Health == HealthStatus.Down, "down: body lacks 'ready'");
        Assert.Contains("body lacks 'ready'", b1.HealthDetail.LastProbe);
    }

    [Fact]
    public async Task TcpCheck_FailsWhenNothingListens_AndPassesOnceSomethingDoes()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var store = new TopologyStore(Config(Fast(new ActiveHealthConfig { Type = HealthCheckType.Tcp }), $"127.0.0.1:{port}"));
        await using var plane = new HealthCheckPlane(store, NullLoggerFactory.Instance);
        plane.Start();
        var b1 = store.Current.Pools["app"].Find("b1")!;
        await Poll.UntilAsync(() => b1.Health == HealthStatus.Down, "down: connection refused");

        using var again = new TcpListener(IPAddress.Loopback, port);
        again.Start();
        await Poll.UntilAsync(() => b1.Health == HealthStatus.Up, "up: something listens");
        Assert.Equal("passed: connected", b1.HealthDetail.LastProbe);
    }

    [Fact]
    public async Task Checker_FollowsReloads_ProbingAddedBackends_AndStoppingForRemovedOnes()
    {
        await using var first = await HealthBackend.StartAsync("b1");
        await using var second = await HealthBackend.StartAsync("b2");
        var active = Fast(new ActiveHealthConfig { Path = "/health" });
        var store = new TopologyStore(Config(active, first.Address));
        await using var plane = new HealthCheckPlane(store, NullLoggerFactory.Instance);
        plane.Start();
        await Poll.UntilAsync(() => first.HealthRequests > 0, "b1 probed");

        store.Apply(Config(active, second.Address));
        await Poll.UntilAsync(() => second.HealthRequests > 0, "the new backend probed");
        var stopped = first.HealthRequests;
        var probes = second.HealthRequests;
        await Poll.UntilAsync(() => second.HealthRequests >= probes + 5, "more probes of b2");
        Assert.InRange(first.HealthRequests, stopped, stopped + 1); // at most the probe that was in flight

        store.Apply(Config(active, second.Address) with { Pools = [Config(active, second.Address).Pools[0] with { Health = HealthConfig.Default }] });
        Assert.Empty(plane.CheckedPools);
    }
}
