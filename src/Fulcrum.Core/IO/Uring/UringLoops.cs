namespace Fulcrum.Core.IO.Uring;

/// <summary>
/// The process's io_uring loops, one per CPU, shared by the L4 relay and the L7 connections: made on first use after
/// the probe passes, never stopped (background threads; tests start many data planes). Connections are dealt to the
/// loops in turn, except that one made on a loop's thread stays on that loop, so a request's client connection and
/// its backend connection complete on the same ring.
/// </summary>
internal sealed class UringLoops
{
    /// <summary>Provided buffers per loop; 16 KiB each, so 8 MiB of address space per loop, touched as used.</summary>
    public const int BufferCount = 512;
    public const int BufferSize = 16 * 1024;

    private static readonly Lock Gate = new();
    private static UringLoops? _shared;
    private static string? _failure;

    private readonly UringLoop[] _loops;
    private uint _next;

    private UringLoops(UringLoop[] loops) => _loops = loops;

    public int Count => _loops.Length;

    public UringLoop this[int index] => _loops[index];

    /// <summary>The process's loops, started on first call; null with the reason when io_uring cannot run here.</summary>
    public static UringLoops? Shared(out string? failure)
    {
        lock (Gate)
        {
            if (_shared is null && _failure is null)
            {
                _failure = UringProbe.Run();
                if (_failure is null) _shared = Start(out _failure);
            }

            failure = _failure;
            return _shared;
        }
    }

    /// <summary>The next loop in turn.</summary>
    public UringLoop Next() => _loops[Interlocked.Increment(ref _next) % (uint)_loops.Length];

    /// <summary>The current thread's loop when it is one of these, else the next in turn.</summary>
    public UringLoop Here() => UringLoop.Current is { } current && Array.IndexOf(_loops, current) >= 0 ? current : Next();

    private static UringLoops? Start(out string? failure)
    {
        var loops = new UringLoop[Environment.ProcessorCount];
        for (var i = 0; i < loops.Length; i++)
        {
            var loop = UringLoop.Start(i, BufferCount, BufferSize, out failure);
            // A loop that fails after the probe passed (a ring limit reached) leaves io_uring unused; the started
            // loops idle on their eventfd read.
            if (loop is null) return null;
            loops[i] = loop;
        }

        failure = null;
        return new UringLoops(loops);
    }
}
