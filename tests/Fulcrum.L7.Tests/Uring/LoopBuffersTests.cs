using Fulcrum.Core.IO.Uring;
using Fulcrum.L7.Uring;

namespace Fulcrum.L7.Tests.Uring;

/// <summary>The per-loop buffer cache under the backend leg: many requests in flight on one loop reuse their buffers.</summary>
public sealed class LoopBuffersTests
{
    private static readonly UringLoops? Loops = UringLoops.Shared(out _);

    [Fact]
    public async Task ManyBuffersInFlightOnALoop_AreAllReused_PastTheSharedPoolsCapacity()
    {
        if (Loops is not { } loops) return; // the kernel refuses io_uring: nothing is kept off the loops
        var loop = loops.Next();
        // 200 at once, as 100 HTTP/2 streams in flight hold a head and a connection buffer each: far past the ~32 per
        // size and CPU that ArrayPool's shared pool keeps.
        var reused = await OnLoop<bool>.RunAsync(loop, () =>
        {
            var first = Enumerable.Range(0, 200).Select(_ => LoopBuffers.Rent(16 * 1024)).ToList();
            foreach (var buffer in first) LoopBuffers.Return(buffer);
            var second = Enumerable.Range(0, 200).Select(_ => LoopBuffers.Rent(16 * 1024)).ToList();
            var same = second.All(b => first.Any(f => ReferenceEquals(f, b)));
            foreach (var buffer in second) LoopBuffers.Return(buffer);
            return Task.FromResult(same);
        });

        Assert.True(reused);
    }

    [Fact]
    public async Task Rent_GivesAtLeastTheSizeAskedFor_OnAndOffTheLoop()
    {
        var off = LoopBuffers.Rent(5000);
        Assert.True(off.Length >= 5000);
        LoopBuffers.Return(off);
        if (Loops is not { } loops) return;
        var length = await OnLoop<int>.RunAsync(loops.Next(), () =>
        {
            LoopBuffers.Return(new byte[4096]); // kept: a smaller one must not be handed out for a larger size
            var buffer = LoopBuffers.Rent(5000);
            LoopBuffers.Return(buffer);
            return Task.FromResult(buffer.Length);
        });

        Assert.True(length >= 5000);
    }
}
