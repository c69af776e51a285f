using System.Runtime.InteropServices;

namespace Fulcrum.Core.IO.Uring;

/// <summary>
/// A provided-buffer ring (IORING_REGISTER_PBUF_RING, Linux 5.19): buffers the kernel picks from when a multishot
/// receive has data, so a connection holds a buffer only while its bytes wait to be sent on. An idle connection
/// holds none, as the zero-byte read gives the epoll engine. Entries are struct io_uring_buf (addr u64, len u32,
/// bid u16, resv u16); the ring's u16 tail overlays the first entry's resv, at byte 14.
/// </summary>
internal sealed unsafe class BufferRing : IDisposable
{
    private readonly byte* _ring;
    private readonly byte* _buffers;
    private readonly ushort _mask;
    private ushort _tail;

    private BufferRing(byte* ring, byte* buffers, int count, int size, ushort group)
    {
        _ring = ring;
        _buffers = buffers;
        Count = count;
        BufferSize = size;
        Group = group;
        _mask = (ushort)(count - 1);
    }

    public int Count { get; }
    public int BufferSize { get; }
    public ushort Group { get; }

    /// <summary>Buffers handed to the kernel and not yet used: 0 means a receive would fail with ENOBUFS.</summary>
    public int Available { get; private set; }

    /// <summary>Registers <paramref name="count"/> (a power of two) buffers of <paramref name="size"/> bytes; null with the errno if refused.</summary>
    public static BufferRing? Register(Ring ring, ushort group, int count, int size, out int error)
    {
        var ringBytes = (nuint)(count * 16);
        var memory = (byte*)NativeMemory.AlignedAlloc(Math.Max(ringBytes, 4096), 4096);
        NativeMemory.Clear(memory, ringBytes);
        var registration = stackalloc byte[40];
        new Span<byte>(registration, 40).Clear();
        *(ulong*)registration = (ulong)memory;
        *(uint*)(registration + 8) = (uint)count;
        *(ushort*)(registration + 12) = group;
        var r = UringNative.Register(ring.Fd, UringNative.RegisterPbufRing, registration, 1);
        if (r < 0)
        {
            NativeMemory.AlignedFree(memory);
            error = -r;
            return null;
        }

        var buffers = (byte*)NativeMemory.AlignedAlloc((nuint)count * (nuint)size, 4096);
        var result = new BufferRing(memory, buffers, count, size, group);
        for (var i = 0; i < count; i++) result.Return((ushort)i);
        error = 0;
        return result;
    }

    public byte* Address(ushort bid) => _buffers + (nint)bid * BufferSize;

    /// <summary>Gives a buffer back to the kernel: entry at the tail, then the tail released.</summary>
    public void Return(ushort bid)
    {
        var entry = _ring + (_tail & _mask) * 16;
        *(ulong*)entry = (ulong)Address(bid);
        *(uint*)(entry + 8) = (uint)BufferSize;
        *(ushort*)(entry + 12) = bid;
        _tail++;
        Volatile.Write(ref *(ushort*)(_ring + 14), _tail);
        Available++;
    }

    /// <summary>The kernel filled a buffer (a completion carried IORING_CQE_F_BUFFER).</summary>
    public void Taken() => Available--;

    public void Dispose()
    {
        NativeMemory.AlignedFree(_buffers);
        NativeMemory.AlignedFree(_ring);
    }
}
