namespace Fulcrum.L4.Uring;

/// <summary>
/// A direction's pipe for splice(2) through the ring, once the direction has moved <see cref="Threshold"/> bytes: bulk
/// data goes socket to pipe to socket as page references and never crosses into user space (HAProxy does the same
/// with its "splice-auto"). io_uring runs splice in its worker threads, blocking, so the sockets of a splicing
/// relay are switched to blocking mode; the ring's own receives and sends do not depend on that flag.
/// </summary>
internal sealed unsafe class UringSplice : IDisposable
{
    /// <summary>Bytes a direction moves by receive and send before it switches; 0 turns splicing off.</summary>
    public static readonly long Threshold = Environment.GetEnvironmentVariable("FULCRUM_SPLICE") is "off" or "0" ? 0 : 64 * 1024;

    /// <summary>One splice in moves at most this much: the pipe's size.</summary>
    public const int Chunk = 256 * 1024;

    private UringSplice(int read, int write)
    {
        Read = read;
        Write = write;
    }

    public int Read { get; }
    public int Write { get; }

    /// <summary>A splice (in or out) is in the kernel.</summary>
    public bool Busy;

    /// <summary>Bytes in the pipe, waiting for the splice out.</summary>
    public int Pending;

    /// <summary>A pipe for a direction from <paramref name="from"/> to <paramref name="to"/>; null when one cannot be had.</summary>
    public static UringSplice? TryCreate(int from, int to)
    {
        var fds = stackalloc int[2];
        if (UringNative.Pipe2(fds, UringNative.OCloexec) != 0) return null;
        // A bigger pipe, fewer round trips through the worker threads; the default (64 KiB) stays if refused.
        UringNative.Fcntl(fds[1], UringNative.FSetPipeSize, Chunk);
        if (!Block(from) || !Block(to))
        {
            UringNative.Close(fds[0]);
            UringNative.Close(fds[1]);
            return null;
        }

        return new UringSplice(fds[0], fds[1]);
    }

    private static bool Block(int fd)
    {
        var flags = UringNative.Fcntl(fd, UringNative.FGetFl, 0);
        return flags >= 0 && UringNative.Fcntl(fd, UringNative.FSetFl, flags & ~UringNative.ONonblock) == 0;
    }

    public void Dispose()
    {
        UringNative.Close(Read);
        UringNative.Close(Write);
    }
}
