using Fulcrum.Core.Observability;

namespace Fulcrum.Core.Tests.Observability;

public sealed class AccessLogQueueTests
{
    [Fact]
    public void FullQueue_RefusesAtOnce_AndTakesAgainOnceTheReaderFreesASlot()
    {
        var queue = new AccessLogQueue(3);
        for (var i = 0; i < 3; i++) Assert.True(queue.TryAdd(new AccessLogEntry { Status = i }));
        Assert.False(queue.TryAdd(new AccessLogEntry { Status = 9 }));

        Assert.True(queue.TryTake(out var first));
        Assert.Equal(0, first.Status);
        Assert.True(queue.TryAdd(new AccessLogEntry { Status = 3 }));
        for (var i = 1; i <= 3; i++)
        {
            Assert.True(queue.TryTake(out var e));
            Assert.Equal(i, e.Status);
        }

        Assert.False(queue.TryTake(out _));
    }

    [Fact]
    public async Task ManyWriters_OneReader_EveryLineArrivesOnce_OrIsRefused()
    {
        var queue = new AccessLogQueue(64);
        const int Writers = 4, PerWriter = 20_000;
        var refused = 0;
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                if (!queue.TryAdd(new AccessLogEntry { Status = w, BytesIn = i })) Interlocked.Increment(ref refused);
            }
        })).ToArray();

        var taken = 0;
        var last = new long[Writers];
        Array.Fill(last, -1);
        var all = Task.WhenAll(writers);
        while (true)
        {
            var done = all.IsCompleted;
            while (queue.TryTake(out var e))
            {
                // Each writer's lines arrive once, in the order it wrote them.
                Assert.True(e.BytesIn > last[e.Status], $"writer {e.Status}: line {e.BytesIn} after {last[e.Status]}");
                last[e.Status] = e.BytesIn;
                taken++;
            }

            if (done) break;
        }

        await all;
        Assert.Equal(Writers * PerWriter, taken + refused);
        Assert.True(taken > 0);
    }
}
