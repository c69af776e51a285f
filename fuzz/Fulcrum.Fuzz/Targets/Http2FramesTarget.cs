using System.Buffers;
using System.IO.Pipelines;
using Fulcrum.L7.Hosting;

namespace Fulcrum.Fuzz.Targets;

/// <summary>
/// The HTTP/2 frame-header reader in front of Kestrel (ContinuationGuard), driven through an in-memory pipe as
/// Kestrel drives it. Input: byte 0 is how many bytes each write carries (1 to 255; 0 for all at once), byte 1 how
/// many unread bytes the consumer leaves at the end of each read (as Kestrel leaves a partial frame), then the
/// connection's bytes (the preface, then frames). Its verdict, cut or not, must be the one a plain reading of the
/// whole byte stream gives (<see cref="Http2FrameModel"/>), whatever the writes and reads are cut into.
/// </summary>
internal sealed class Http2FramesTarget : IFuzzTarget
{
    public string Name => "http2-frames";

    public string Parser => "ContinuationGuard (HTTP/2 frame headers)";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2) return;
        var write = input[0] == 0 ? int.MaxValue : input[0];
        var leave = input[1] % 32;
        var connection = input[2..];

        // Never pause the writer and run continuations inline: every call below completes synchronously.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        var aborted = false;
        var guard = new ContinuationGuard(pipe.Reader, () => aborted = true);
        for (var at = 0; at < connection.Length && !aborted; at += write)
        {
            pipe.Writer.Write(connection.Slice(at, Math.Min(write, connection.Length - at)));
            _ = pipe.Writer.FlushAsync().AsTask().GetAwaiter().GetResult();
            if (!guard.TryRead(out var result)) throw new FuzzInvariantException("no read after a write");
            var buffer = result.Buffer;
            guard.AdvanceTo(buffer.GetPosition(Math.Max(0, buffer.Length - leave)), buffer.End);
        }

        pipe.Writer.Complete();
        while (!aborted && guard.TryRead(out var rest))
        {
            guard.AdvanceTo(rest.Buffer.End);
            if (rest.IsCompleted) break;
        }

        var expected = Http2FrameModel.ExceedsContinuations(connection, ContinuationGuard.MaxContinuations);
        if (aborted != expected) throw new FuzzInvariantException($"the guard {(aborted ? "cut" : "passed")} a connection the whole stream says to {(expected ? "cut" : "pass")}");
    }
}
