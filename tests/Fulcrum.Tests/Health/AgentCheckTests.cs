using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Health;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.Tests.Health;

/// <summary>HAProxy's agent-check against real agents: each answers the line a test sets to every connection.</summary>
public sealed class AgentCheckTests
{
    [Fact]
    public async Task AnAgentsWords_SetTheWeightShare_Drain_Maintenance_AndDown_AndClearOnReady()
    {
        await using var a1 = await Agent.StartAsync(IPAddress.Loopback, 0);
        await using var a2 = await Agent.StartAsync(IPAddress.Parse("127.0.0.2"), a1.Port);
        a1.Reply = "50%\n";
        a2.Reply = "up ready 100%\n";
        var store = new TopologyStore(new FulcrumConfig
        {
            Pools =
            [
                new PoolConfig
                {
                    Name = "app",
                    Algorithm = BalancerNames.WeightedRoundRobin,
                    Health = new HealthConfig { Agent = new AgentCheckConfig { Port = a1.Port, Interval = TimeSpan.FromMilliseconds(100) } },
                    Backends =
                    [
                        new BackendConfig { Name = "b1", Address = "127.0.0.1:1", Weight = 10 },
                        new BackendConfig { Name = "b2", Address = "127.0.0.2:1", Weight = 10 },
                    ],
                },
            ],
        });
        await using var plane = new HealthCheckPlane(store, NullLoggerFactory.Instance);
        plane.Start();
        var pool = store.Current.Pools["app"];
        var b1 = pool.Find("b1")!;

        // 50%: half its weight, so a third of the picks against b2's full weight.
        await Poll.UntilAsync(() => b1.EffectiveWeight == 5, "b1 at 50% of its weight");
        var picks = Enumerable.Range(0, 300).Select(_ => pool.Pick(PickContext.None)!.Id).ToList();
        Assert.Equal(100, picks.Count(id => id == "b1"));

        a1.Reply = "drain # deploying\n";
        await Poll.UntilAsync(() => b1.State == BackendState.Draining, "b1 draining");
        Assert.False(b1.IsUsable);
        Assert.True(b1.AcceptsSticky);
        Assert.All(Enumerable.Range(0, 20), _ => Assert.Equal("b2", pool.Pick(PickContext.None)!.Id));

        a1.Reply = "maint\n";
        await Poll.UntilAsync(() => b1.State == BackendState.Maintenance, "b1 in maintenance");
        Assert.False(b1.AcceptsSticky);

        a1.Reply = "ready down\n";
        await Poll.UntilAsync(() => b1.State == BackendState.Down, "b1 down by its agent");

        a1.Reply = "up 100%\n";
        await Poll.UntilAsync(() => b1.State == BackendState.Up && b1.EffectiveWeight == 10, "b1 back");

        // An agent that says nothing changes nothing: what it said last holds.
        a1.Reply = "30%\n";
        await Poll.UntilAsync(() => b1.EffectiveWeight == 3, "b1 at 30%");
        a1.Reply = "";
        var asked = a1.Connections;
        await Poll.UntilAsync(() => a1.Connections >= asked + 3, "three silent answers");
        Assert.Equal(3, b1.EffectiveWeight);
        Assert.Equal(BackendState.Up, b1.State);
    }

    [Fact]
    public async Task RemovingTheAgentCheck_ForgetsWhatTheAgentSaid()
    {
        await using var agent = await Agent.StartAsync(IPAddress.Loopback, 0);
        agent.Reply = "maint\n";
        var withAgent = new PoolConfig
        {
            Name = "app",
            Health = new HealthConfig { Agent = new AgentCheckConfig { Port = agent.Port, Interval = TimeSpan.FromMilliseconds(100) } },
            Backends = [new BackendConfig { Name = "b1", Address = "127.0.0.1:1" }],
        };
        var store = new TopologyStore(new FulcrumConfig { Pools = [withAgent] });
        await using var plane = new HealthCheckPlane(store, NullLoggerFactory.Instance);
        plane.Start();
        var b1 = store.Current.Pools["app"].Find("b1")!;
        await Poll.UntilAsync(() => b1.State == BackendState.Maintenance, "maintenance by the agent");

        store.Apply(new FulcrumConfig { Pools = [withAgent with { Health = new HealthConfig() }] });
        Assert.Equal(BackendState.Up, store.Current.Pools["app"].Find("b1")!.State);
    }

    /// <summary>A TCP agent: every connection gets <see cref="Reply"/>, then the close.</summary>
    private sealed class Agent : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;

        private Agent(TcpListener listener)
        {
            _listener = listener;
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public volatile string Reply = "";
        private int _connections;

        public int Connections => Volatile.Read(ref _connections);

        public static Task<Agent> StartAsync(IPAddress address, int port)
        {
            var listener = new TcpListener(address, port);
            listener.Start();
            return Task.FromResult(new Agent(listener));
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(Reply), _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_stop.IsCancellationRequested) return;
            _stop.Cancel();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }
}
