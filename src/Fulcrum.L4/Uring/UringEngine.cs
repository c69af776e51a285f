using Fulcrum.Core.IO.Uring;
using Fulcrum.L4.Pump;
using Fulcrum.L4.Tcp;

namespace Fulcrum.L4.Uring;

/// <summary>
/// The relay on io_uring: the process's <see cref="UringLoops"/>, connections dealt to them in turn. Per request it
/// spends one io_uring_enter per loop turn for all the connections that turn serves, where the epoll engine spends an
/// epoll_wait plus a recv and a send per hop. One per process.
/// </summary>
internal sealed class UringEngine : IPumpEngine
{
    private static readonly Lock Gate = new();
    private static UringEngine? _shared;

    private readonly UringLoops _loops;

    private UringEngine(UringLoops loops) => _loops = loops;

    public string Name => IoEngineNames.IoUring;

    /// <summary>The rings; tcp listeners accept on them too.</summary>
    public UringLoops Loops => _loops;

    /// <summary>The process's engine, started on first call; null with the reason when io_uring cannot run here.</summary>
    public static UringEngine? Shared(out string? failure)
    {
        var loops = UringLoops.Shared(out failure);
        if (loops is null) return null;
        lock (Gate) return _shared ??= new UringEngine(loops);
    }

    public Task PumpAsync(IPumpOwner owner, PeerSocket client, PeerSocket backend)
    {
        var loop = owner.Loop ?? _loops.Next();
        var relay = new UringRelay(loop, owner, client.Fd, backend.Fd);
        if (!owner.Attach(relay)) return Task.CompletedTask;
        loop.Post(relay, UringRelay.StartWork);
        return relay.Completion;
    }
}
