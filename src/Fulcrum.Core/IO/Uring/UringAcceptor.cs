using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Fulcrum.Core.IO.Uring;

/// <summary>
/// Accepts a listening socket's connections on the rings themselves: every loop keeps a multishot IORING_OP_ACCEPT
/// armed on the one socket, the kernel gives each new connection to exactly one of them, and the loop that took it
/// owns it from its first byte, so no other thread runs for an accept and no connection is handed between threads.
/// One socket shared by the rings rather than one SO_REUSEPORT socket per ring: a socket handed over by a takeover,
/// tests that bind port 0, and a stop that must not drop the clients queued on it all stay as they are; and a loop
/// runs its accepts only when it turns (DEFER_TASKRUN), so a busy loop leaves new connections to an idle one.
/// </summary>
internal sealed class UringAcceptor
{
    private readonly UringAccept[] _accepts;
    private readonly int _fd;
    private Task? _stopped;

    /// <param name="accepted">
    /// Runs on the loop that accepted, with the new connection's descriptor (blocking, close-on-exec); it owns the
    /// descriptor from here on, and wraps it in a <see cref="Socket"/> only if it needs one. It must not throw.
    /// </param>
    /// <param name="failed">An accept failed with this errno (EMFILE and the like); that loop tries again shortly.</param>
    public UringAcceptor(UringLoops loops, Socket listen, Action<UringLoop, int> accepted, Action<int>? failed = null, TimeProvider? time = null)
    {
        // A descriptor of our own: the rings (and the last accepts of a stop) may still use it after the owner closes
        // its socket. Non-blocking, so a stop's last look at the queue never waits (io_uring's accept does not mind).
        var fd = UringNative.Fcntl((int)listen.SafeHandle.DangerousGetHandle(), UringNative.FDupFdCloexec, 0);
        if (fd < 0) throw new SocketException(Marshal.GetLastPInvokeError());
        var flags = UringNative.Fcntl(fd, UringNative.FGetFl, 0);
        if (flags >= 0) UringNative.Fcntl(fd, UringNative.FSetFl, flags | UringNative.ONonblock);
        _fd = fd;
        _accepts = new UringAccept[loops.Count];
        for (var i = 0; i < _accepts.Length; i++) _accepts[i] = new UringAccept(loops[i], fd, accepted, failed, time ?? TimeProvider.System);
    }

    /// <param name="accepted">Runs on the loop that accepted, with the new connection as a runtime socket; it owns it.</param>
    public UringAcceptor(UringLoops loops, Socket listen, Action<UringLoop, Socket> accepted, Action<int>? failed = null, TimeProvider? time = null)
        : this(loops, listen, (loop, fd) => Wrap(loop, fd, accepted), failed, time)
    {
    }

    /// <summary>
    /// The runtime's socket over an accepted descriptor. It asks the kernel what the descriptor is (family, type,
    /// protocol, flags: about seven system calls), which is why a caller that can do without it takes the descriptor.
    /// </summary>
    private static void Wrap(UringLoop loop, int fd, Action<UringLoop, Socket> accepted)
    {
        Socket socket;
        var handle = new SafeSocketHandle(fd, ownsHandle: true);
        try
        {
            socket = new Socket(handle);
        }
        catch (SocketException)
        {
            // One reset that early is a client gone already.
            handle.Dispose();
            return;
        }

        accepted(loop, socket);
    }

    public void Start()
    {
        foreach (var accept in _accepts) accept.Loop.Post(accept, UringAccept.WorkArm);
    }

    /// <summary>
    /// Cancels the accepts; done when no ring holds the socket any more, so that closing it then really closes it.
    /// Connections accepted before the cancel landed, and those still queued when it did, reach the callback.
    /// </summary>
    public Task StopAsync()
    {
        lock (_accepts)
        {
            if (_stopped is null)
            {
                foreach (var accept in _accepts) accept.Loop.Post(accept, UringAccept.WorkStop);
                _stopped = StopAllAsync();
            }

            return _stopped;
        }
    }

    private async Task StopAllAsync()
    {
        await Task.WhenAll(_accepts.Select(a => a.Stopped)).ConfigureAwait(false);
        UringNative.Close(_fd);
    }
}
