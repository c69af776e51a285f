using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Fulcrum.Cluster;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.TestSupport;
using Fulcrum.TestSupport.Peers;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Fulcrum.Tests.Cluster;

/// <summary>
/// The runtime changes shared through a real redis-server, one instance's sync driven by hand so the test chooses
/// which announcements it hears: a subscription that comes back between two writes must not run the second alone.
/// </summary>
public sealed class RuntimeStateSyncTests
{
    private static readonly FulcrumConfig Config = new()
    {
        Listeners = [new ListenerConfig { Name = "web", Bind = new BindAddress(IPAddress.Loopback, 0), Routes = [new RouteConfig { Pool = "app" }] }],
        Pools =
        [
            new PoolConfig
            {
                Name = "app",
                Backends = [new BackendConfig { Name = "b1", Address = "127.0.0.1:9" }, new BackendConfig { Name = "b2", Address = "127.0.0.1:9" }],
            },
        ],
    };

    [Fact]
    public async Task AnAnnouncementAfterAMissedOne_IsNotRunOutOfOrder_TheCatchUpRunsBothInTheOrderMade()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(
            new ConfigurationOptions { EndPoints = { new UnixDomainSocketEndPoint(redis.Socket) } });
        var db = connection.GetDatabase();
        var heard = new ConcurrentQueue<RedisValue>();
        await connection.GetSubscriber().SubscribeAsync(ClusterKeys.Changes, (_, message) => heard.Enqueue(message));

        var store = new TopologyStore(Config);
        var missed = 0;
        var b = new RuntimeStateSync("lb-b", TimeProvider.System, NullLogger.Instance) { Missed = () => missed++ };
        b.Attach(store);
        await b.CatchUpAsync(db, null, null);
        var a = new RuntimeStateSync("lb-a", TimeProvider.System, NullLogger.Instance) { Reachable = true };

        // A takes b1 out, then puts it back and drains b2 (in one millisecond or not): at no point is neither serving.
        a.Changed(new RuntimeChange(RuntimeChangeKind.Maintenance, "app", "b1"));
        a.Changed(new RuntimeChange(RuntimeChangeKind.Ready, "app", "b1"));
        a.Changed(new RuntimeChange(RuntimeChangeKind.Drain, "app", "b2"));
        await a.WritePendingAsync(db);
        await Poll.UntilAsync(() => heard.Count == 3, "three announcements");
        var announcements = heard.ToArray();

        // B hears the first and the third: its subscription was away for the second.
        b.OnMessage(announcements[0]);
        Assert.Equal(OperatorIntent.Maintenance, Intent(store, "b1"));
        b.OnMessage(announcements[2]);
        Assert.Equal(1, missed);
        Assert.Equal(OperatorIntent.Active, Intent(store, "b2"));

        var version = (long)await db.StringGetAsync(ClusterKeys.Version);
        var epoch = (string?)await db.StringGetAsync(ClusterKeys.Epoch);
        await b.CatchUpAsync(db, version, epoch);
        Assert.Equal(OperatorIntent.Active, Intent(store, "b1"));
        Assert.Equal(OperatorIntent.Draining, Intent(store, "b2"));
    }

    private static OperatorIntent Intent(TopologyStore store, string id) => store.Current.Pools["app"].Find(id)!.Intent;
}
