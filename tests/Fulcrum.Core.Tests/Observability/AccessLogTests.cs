using System.Diagnostics;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Observability;

namespace Fulcrum.Core.Tests.Observability;

public sealed class AccessLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fulcrum-core-log-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Dispose_WritesTheQueuedLines_AndLinesAfterItCountAsDropped()
    {
        var path = Path.Combine(_dir, "access.log");
        var counters = new AccessLogCounters();
        var log = new AccessLog(new AccessLogConfig { Path = path }, counters);
        for (var i = 0; i < 3; i++) log.Write(new AccessLogEntry { Listener = "web", Protocol = "http", Status = 200 + i });

        log.Dispose();
        var clock = Stopwatch.StartNew();
        while (counters.Written < 3)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the queued lines to be written");
            await Task.Delay(10);
        }

        Assert.Equal(3, File.ReadAllLines(path).Length);
        log.Write(new AccessLogEntry { Listener = "web", Protocol = "http", Status = 500 });
        Assert.Equal(1, counters.Dropped);
    }
}
