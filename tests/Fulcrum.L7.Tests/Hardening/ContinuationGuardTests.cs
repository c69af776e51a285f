using System.IO.Pipelines;
using Fulcrum.L7.Hosting;

namespace Fulcrum.L7.Tests.Hardening;

public sealed class ContinuationGuardTests
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private static byte[] Frame(byte type, byte flags, int stream, int length) =>
    [
        (byte)(length >> 16), (byte)(length >> 8), (byte)length, type, flags,
        (byte)(stream >> 24), (byte)(stream >> 16), (byte)(stream >> 8), (byte)stream, .. new byte[length],
    ];

    // Feeds the bytes one at a time (frame headers split across reads) and reads them all through the guard.
    private static async Task<bool> AbortedAsync(IEnumerable<byte[]> frames)
    {
        var pipe = new Pipe();
        var aborted = false;
        var guard = new ContinuationGuard(pipe.Reader, () => aborted = true);
        var bytes = Preface.Concat(frames.SelectMany(f => f)).ToArray();
        foreach (var b in bytes)
        {
            await pipe.Writer.WriteAsync(new[] { b });
            var result = await guard.ReadAsync();
            guard.AdvanceTo(result.Buffer.End);
        }

        return aborted;
    }

    [Fact]
    public async Task AHeaderBlockInAFewContinuationFrames_Passes_AsDoEveryOtherFrames()
    {
        var frames = new List<byte[]>
        {
            Frame(0x4, 0, 0, 6),          // SETTINGS
            Frame(0x1, 0, 1, 100),        // HEADERS without END_HEADERS
            Frame(0x9, 0, 1, 100),        // CONTINUATION
            Frame(0x9, 0x4, 1, 50),       // CONTINUATION, END_HEADERS
            Frame(0x0, 0x1, 1, 300),      // DATA
        };
        for (var i = 0; i < 40; i++) frames.Add(Frame(0x1, 0x4, 3 + 2 * i, 20)); // many complete header blocks
        Assert.False(await AbortedAsync(frames));
    }

    [Fact]
    public async Task AHeaderBlockPastTheLimit_IsCut_EmptyFramesIncluded()
    {
        var frames = new List<byte[]> { Frame(0x1, 0, 1, 10) };
        for (var i = 0; i <= ContinuationGuard.MaxContinuations; i++) frames.Add(Frame(0x9, 0, 1, 0));
        Assert.True(await AbortedAsync(frames));
    }
}
