using System.Net.Sockets;
using Fulcrum.Core.IO.Uring;
using Fulcrum.L4.Pump;

namespace Fulcrum.L4.Uring;

/// <summary>
/// The relay on io_uring: one <see cref="UringLoop"/> per CPU, connections dealt to them in turn. Per request it
/// spends one io_uring_enter per loop turn for all the connections that turn serves, where the epoll engine spends an
/// epoll_wait plus a recv and a send per hop. One per process, made on first use and never stopped: the loops are
/// background threads, and tests start many data planes.
/// </summary>
internal sealed class UringEngine : IPumpEngine
{
    /// <summary>Provided buffers per loop; 16 KiB each, so 8 MiB of address space per loop, touched as used.</summary>
    private const int BufferCount = 512;
    private const int BufferSize = 16 * 1024;

    private static readonly Lock Gate = new();
    private static UringEngine? _shared;
    private static string? _failure;

    private readonly UringLoop[] _loops;
    private uint _next;

    private UringEngine(UringLoop[] loops) => _loops = loops;

    public string Name => IoEngineNames.IoUring;

    /// <summary>The process's engine, started on first call; null with the reason when io_uring cannot run here.</summary>
    public static UringEngine? Shared(out string? failure)
    {
        lock (Gate)
        {
            if (_shared is null && _failure is null)
            {
                _failure = UringProbe.Run();
                if (_failure is null) _shared = StartLoops(out _failure);
            }

            failure = _failure;
            return _shared;
        }
    }

    private static UringEngine? StartLoops(out string? failure)
    {
        var loops = new UringLoop[Environment.ProcessorCount];
        for (var i = 0; i < loops.Length; i++)
        {
            var loop = UringLoop.Start(i, BufferCount, BufferSize, out failure);
            // A loop that fails after the probe passed (a ring limit reached) leaves the engine unused; the started
            // loops idle on their eventfd read.
            if (loop is null) return null;
            loops[i] = loop;
        }

        failure = null;
        return new UringEngine(loops);
    }

    public Task PumpAsync(IPumpOwner owner, Socket client, Socket backend)
    {
        var loop = _loops[Interlocked.Increment(ref _next) % (uint)_loops.Length];
        var relay = new UringRelay(loop, owner, (int)client.SafeHandle.DangerousGetHandle(), (int)backend.SafeHandle.DangerousGetHandle());
        if (!owner.Attach(relay)) return Task.CompletedTask;
        loop.Post(relay, abort: false);
        return relay.Completion;
    }
}
