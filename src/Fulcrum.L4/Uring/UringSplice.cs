using Fulcrum.Core.IO.Uring;
namespace Fulcrum.L4.Uring;

/// <summary>
/// A direction's pipe for splice(2) through the ring, once the direction has streamed: <see cref="FullReceives"/> receives
/// in a row each filled a whole buffer (64 KiB without a pause). Counting bytes instead switched keep-alive connections
/// after a hundred small requests, and a blocking splice per request cost them two thirds of their rate. Bulk
/// data goes socket to pipe to socket as page references and never crosses into user space (HAProxy does the same
/// with its "splice-auto"). io_uring runs splice in its worker threads, blocking, so the sockets of a splicing
/// relay are switched to blocking mode; the ring's own receives and sends do not depend on that flag.
/// </summary>
internal sealed unsafe class UringSplice : IDisposable
{
    /// <summary>Full receives in a row before a direction switches; 0 (FULCRUM_SPLICE=off) turns splicing off.</summary>
    public static readonly int FullReceives = Environment.GetEnvironmentVariable("FULCRUM_SPLICE") is "off" or "0" ? 0 : 4;

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
