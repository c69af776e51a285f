using System.Runtime.InteropServices;

namespace Fulcrum.Core.IO.Uring;

/// <summary>struct io_uring_params with its io_sqring_offsets and io_cqring_offsets (120 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct UringParams
{
    public uint SqEntries;
    public uint CqEntries;
    public uint Flags;
    public uint SqThreadCpu;
    public uint SqThreadIdle;
    public uint Features;
    public uint WqFd;
    public uint Resv0, Resv1, Resv2;

    // io_sqring_offsets
    public uint SqHead, SqTail, SqRingMask, SqRingEntries, SqFlags, SqDropped, SqArray, SqResv1;
    public ulong SqUserAddr;

    // io_cqring_offsets
    public uint CqHead, CqTail, CqRingMask, CqRingEntries, CqOverflow, CqCqes, CqFlags, CqResv1;
    public ulong CqUserAddr;
}
