using System.Runtime.InteropServices;

namespace Fulcrum.Core.IO.Uring;

/// <summary>struct io_uring_cqe (16 bytes; this engine does not set up 32-byte CQEs).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct UringCqe
{
    public ulong UserData;
    public int Res;
    public uint Flags;
}
