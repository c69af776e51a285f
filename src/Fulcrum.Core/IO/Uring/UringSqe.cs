using System.Runtime.InteropServices;

namespace Fulcrum.Core.IO.Uring;

/// <summary>struct io_uring_sqe (64 bytes), with the union members this engine uses named for their use.</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct UringSqe
{
    [FieldOffset(0)] public byte Opcode;
    [FieldOffset(1)] public byte Flags;
    [FieldOffset(2)] public ushort IoPrio;
    [FieldOffset(4)] public int Fd;
    /// <summary>off / addr2 / splice_off_in's partner: the offset for reads, -1 for splice's "no offset".</summary>
    [FieldOffset(8)] public ulong Off;
    /// <summary>addr / splice_off_in.</summary>
    [FieldOffset(16)] public ulong Addr;
    [FieldOffset(24)] public uint Len;
    /// <summary>msg_flags, splice_flags, cancel_flags: the op's own flags.</summary>
    [FieldOffset(28)] public uint OpFlags;
    [FieldOffset(32)] public ulong UserData;
    /// <summary>buf_index / buf_group.</summary>
    [FieldOffset(40)] public ushort BufGroup;
    [FieldOffset(42)] public ushort Personality;
    /// <summary>splice_fd_in / file_index.</summary>
    [FieldOffset(44)] public int SpliceFdIn;
    [FieldOffset(48)] public ulong Addr3;
    [FieldOffset(56)] public ulong Pad2;
}
