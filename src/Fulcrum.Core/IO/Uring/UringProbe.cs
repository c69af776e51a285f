namespace Fulcrum.Core.IO.Uring;

/// <summary>
/// Asks the running kernel whether the io_uring engine can run here: a ring can be set up (seccomp, a container's
/// policy or kernel.io_uring_disabled may refuse it), IORING_REGISTER_PROBE lists every op the engine issues, a
/// provided-buffer ring registers, and the kernel is 6.0 or later (multishot receive).
/// </summary>
internal static unsafe class UringProbe
{
    private static readonly byte[] Needed = [UringNative.OpRecv, UringNative.OpSend, UringNative.OpAsyncCancel, UringNative.OpRead, UringNative.OpSplice, UringNative.OpConnect, UringNative.OpAccept];

    /// <summary>Null when io_uring can run; otherwise why not, for the start-up log.</summary>
    public static string? Run()
    {
        if (!OperatingSystem.IsLinux()) return "not Linux";
        if (!OperatingSystem.IsOSPlatformVersionAtLeast("Linux", 6, 0)) return $"kernel {Environment.OSVersion.Version} is older than 6.0 (multishot receive)";
        Ring? ring;
        try
        {
            ring = Ring.Create(8, singleIssuer: false, out var error);
            if (ring is null) return $"io_uring_setup failed: errno {error}{(error == 1 ? " (EPERM: seccomp or kernel.io_uring_disabled)" : error == 38 ? " (ENOSYS)" : "")}";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return $"libc: {e.Message}";
        }

        using (ring)
        {
            // struct io_uring_probe: last_op u8, ops_len u8, resv u16, resv2 u32[3], then 256 io_uring_probe_op of 8 bytes.
            const int Ops = 256;
            var probe = stackalloc byte[16 + Ops * 8];
            new Span<byte>(probe, 16 + Ops * 8).Clear();
            var r = UringNative.Register(ring.Fd, UringNative.RegisterProbe, probe, Ops);
            if (r < 0) return $"IORING_REGISTER_PROBE failed: errno {-r}";
            var length = probe[1];
            foreach (var op in Needed)
            {
                if (!Supported(probe, length, op)) return $"io_uring op {op} not supported";
            }

            UringFeatures.Close = Supported(probe, length, UringNative.OpClose);
            // The probe lists URING_CMD from 5.19 (for NVMe); sockets take setsockopt through it from 6.7.
            UringFeatures.SetSockOpt = Supported(probe, length, UringNative.OpUringCmd) && OperatingSystem.IsOSPlatformVersionAtLeast("Linux", 6, 7);

            using var buffers = BufferRing.Register(ring, 0, 2, 4096, out var bufferError);
            if (buffers is null) return $"IORING_REGISTER_PBUF_RING failed: errno {bufferError}";
        }

        return null;
    }

    // io_uring_probe_op: op u8, resv u8, flags u16 (IO_URING_OP_SUPPORTED = 1), resv2 u32.
    private static bool Supported(byte* probe, byte length, byte op) => op < length && (*(ushort*)(probe + 16 + op * 8 + 2) & 1) != 0;
}
