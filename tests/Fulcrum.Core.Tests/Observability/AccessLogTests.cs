using System.Net;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Core.Observability;

namespace Fulcrum.Core.Tests.Observability;

/// <summary>
/// The access log with no thread behind it: the test is the writer (Core starts none), and sampling draws from
/// the random source the services inject, so both are exact.
/// </summary>
public sealed class AccessLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fulcrum-core-log-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WriteQueued_WritesTheQueuedLines_OnTheCallersThread()
    {
        var path = Path.Combine(_dir, "access.log");
        var counters = new AccessLogCounters();
        using var log = new AccessLog(new AccessLogConfig { Path = path }, counters, Random.Shared);
        for (var i = 0; i < 3; i++) log.Write(Entry(200 + i));

        Assert.True(log.WriteQueued());

        Assert.Equal(3, counters.Written);
        Assert.Equal(3, File.ReadAllLines(path).Length);
    }

    [Fact]
    public void Dispose_LetsTheWriterWriteWhatIsLeft_AndLinesAfterItCountAsDropped()
    {
        var path = Path.Combine(_dir, "access.log");
        var counters = new AccessLogCounters();
        var log = new AccessLog(new AccessLogConfig { Path = path }, counters, Random.Shared);
        for (var i = 0; i < 3; i++) log.Write(Entry(200 + i));

        log.Dispose();
        log.Write(Entry(500));

        Assert.False(log.WriteQueued()); // the last batch: the writer is done
        Assert.Equal(3, counters.Written);
        Assert.Equal(1, counters.Dropped);
        Assert.Equal(3, File.ReadAllLines(path).Length);
    }

    [Fact]
    public void Sampled_KeepsExactlyTheDrawsBelowTheSample()
    {
        var draws = new ScriptedRandom(0.1, 0.25, 0.2499, 0.9, 0.0);
        using var log = new AccessLog(new AccessLogConfig { Path = Path.Combine(_dir, "a.log"), Sample = 0.25 }, new AccessLogCounters(), draws);

        Assert.Equal([true, false, true, false, true], Enumerable.Range(0, 5).Select(_ => log.Sampled()));
    }

    [Fact]
    public void Sampled_AtOne_DrawsNothing()
    {
        var draws = new ScriptedRandom();
        using var log = new AccessLog(new AccessLogConfig { Path = Path.Combine(_dir, "a.log") }, new AccessLogCounters(), draws);

        Assert.True(log.Sampled());
        Assert.Equal(0, draws.Used);
    }

    [Fact]
    public void Registry_SamplesWithTheServicesRandom_SoASeedGivesTheSameCountEveryRun()
    {
        var listener = new ListenerConfig
        {
            Name = "web", Bind = new BindAddress(IPAddress.Loopback, 0), Protocol = ListenerProtocol.Tcp, Pool = "p",
            AccessLog = new AccessLogConfig { Path = Path.Combine(_dir, "a.log"), Sample = 0.1 },
        };
        var config = new FulcrumConfig { Listeners = [listener], Pools = [new PoolConfig { Name = "p", Backends = [new BackendConfig { Address = "127.0.0.1:1" }] }] };
        var store = new TopologyStore(config, new BalancerServices(new ManualTimeProvider(), new Random(12)));
        using var logs = store.AccessLogs;
        var log = logs.For(listener, config)!;

        var reference = new Random(12);
        var expected = Enumerable.Range(0, 10_000).Count(_ => reference.NextDouble() < 0.1);
        Assert.Equal(expected, Enumerable.Range(0, 10_000).Count(_ => log.Sampled()));
    }

    [Fact]
    public void Registry_GivesEachLogAWriter_AndStopsItAfterClosingTheLog()
    {
        var writers = new RecordingWriters();
        var listener = new ListenerConfig
        {
            Name = "web", Bind = new BindAddress(IPAddress.Loopback, 0), Protocol = ListenerProtocol.Tcp, Pool = "p",
            AccessLog = new AccessLogConfig { Path = Path.Combine(_dir, "a.log") },
        };
        var config = new FulcrumConfig { Listeners = [listener], Pools = [] };
        var logs = new AccessLogRegistry(new BalancerServices(new ManualTimeProvider(), Random.Shared) { AccessLogWriters = writers });

        var log = logs.For(listener, config)!;
        Assert.Same(log, logs.For(listener with { Name = "other" }, config)); // one log per destination
        Assert.Same(log, Assert.Single(writers.Started));

        log.Write(Entry(200));
        logs.Dispose();
        Assert.Equal(1, writers.Stopped);
        Assert.True(writers.LogClosedWhenStopped);
    }

    [Fact]
    public void Registry_WithoutWriters_WritesWhatIsQueued_WhenDisposed()
    {
        var path = Path.Combine(_dir, "a.log");
        var listener = new ListenerConfig
        {
            Name = "web", Bind = new BindAddress(IPAddress.Loopback, 0), Protocol = ListenerProtocol.Tcp, Pool = "p",
            AccessLog = new AccessLogConfig { Path = path },
        };
        var logs = new AccessLogRegistry(BalancerServices.Default);
        logs.For(listener, new FulcrumConfig { Listeners = [listener], Pools = [] })!.Write(Entry(200));

        logs.Dispose();

        Assert.Equal(1, logs.Counters.Written);
        Assert.Single(File.ReadAllLines(path));
    }

    private static AccessLogEntry Entry(int status) => new() { Listener = "web", Protocol = "http", Status = status };

    /// <summary>Returns the given draws in order, so which lines a sample keeps is known in advance.</summary>
    private sealed class ScriptedRandom(params double[] draws) : Random
    {
        public int Used { get; private set; }

        public override double NextDouble() => draws[Used++];
    }

    private sealed class RecordingWriters : IAccessLogWriters
    {
        public List<AccessLog> Started { get; } = [];
        public int Stopped { get; private set; }
        public bool LogClosedWhenStopped { get; private set; }

        public IDisposable Start(AccessLog log)
        {
            Started.Add(log);
            return new Stop(() =>
            {
                Stopped++;
                // Closed first: its last batch is the final one, and it ends the writer.
                LogClosedWhenStopped = !log.WriteQueued();
            });
        }

        private sealed class Stop(Action stop) : IDisposable
        {
            public void Dispose() => stop();
        }
    }
}
