using System.Buffers;
using System.Numerics;
using Fulcrum.Core.IO.Uring;

namespace Fulcrum.L7.Uring;

/// <summary>
/// The buffers a request holds while it waits for its backend (the backend connection's read buffer, the request
/// head), kept per io_uring loop thread. ArrayPool's shared pool keeps about 32 arrays of a size per CPU: a loop with 100
/// requests in flight (10 HTTP/2 connections of 10 streams) rents past it, and every request then allocated and
/// zeroed its 16 KiB and 4 KiB anew (memset and gen0 collections; without them h2 takes about a quarter less CPU per
/// request: docs/performance.md, "h2: buffers per ring and one write per ring turn"). Here each loop keeps up to
/// <see cref="KeepBytes"/> of each power-of-two size; off the loops (the epoll engine's threads, which a request may
/// hop between) everything goes to the shared pool as before.
/// </summary>
internal static class LoopBuffers
{
    /// <summary>At most this many bytes of one size are kept per loop (256 buffers of 16 KiB).</summary>
    public const int KeepBytes = 4 * 1024 * 1024;
    private const int MinShift = 10; // 1 KiB
    private const int MaxShift = 16; // 64 KiB

    [ThreadStatic]
    private static Stack<byte[]>?[]? _kept;

    /// <summary>A buffer of at least <paramref name="size"/> bytes, not cleared.</summary>
    public static byte[] Rent(int size)
    {
        if (UringLoop.Current is not null && _kept is { } kept)
        {
            var bucket = Bucket((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(size, 1 << MinShift)));
            if (bucket >= 0 && kept[bucket] is { Count: > 0 } stack) return stack.Pop();
        }

        return ArrayPool<byte>.Shared.Rent(size);
    }

    /// <summary>Gives back a buffer from <see cref="Rent"/> (or from the shared pool).</summary>
    public static void Return(byte[] buffer)
    {
        var bucket = Bucket(buffer.Length);
        if (bucket >= 0 && UringLoop.Current is not null)
        {
            var kept = (_kept ??= new Stack<byte[]>?[MaxShift - MinShift + 1])[bucket] ??= new Stack<byte[]>();
            if (kept.Count < KeepBytes / buffer.Length)
            {
                kept.Push(buffer);
                return;
            }
        }

        ArrayPool<byte>.Shared.Return(buffer);
    }

    // The slot for a power-of-two length this keeps, or -1.
    private static int Bucket(int length) =>
        BitOperations.IsPow2(length) && length >= 1 << MinShift && length <= 1 << MaxShift ? BitOperations.Log2((uint)length) - MinShift : -1;
}
