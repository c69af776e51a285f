using System.Runtime.InteropServices;

namespace Fulcrum.Core.IO.Uring;

/// <summary>
/// One io_uring: the submission and completion rings and the SQE array, mapped into this process. Not thread-safe:
/// one thread owns it (the ring is set up single-issuer), which is what lets submission be plain stores and a
/// release of the tail, as in liburing's io_uring_get_sqe/io_uring_submit (the algorithm, not the code).
/// </summary>
internal sealed unsafe class Ring : IDisposable
{
    private readonly nint _rings;
    private readonly nuint _ringsSize;
    private readonly nint _sqes;
    private readonly nuint _sqesSize;
    private readonly uint* _sqHead;
    private readonly uint* _sqFlags;
    private readonly uint* _sqTail;
    private readonly uint _sqMask;
    private readonly uint _sqEntries;
    private readonly uint* _cqHead;
    private readonly uint* _cqTail;
    private readonly uint _cqMask;
    private readonly UringCqe* _cqes;
    private uint _localTail;
    private uint _submitted;

    private Ring(int fd, in UringParams p, nint rings, nuint ringsSize, nint sqes, nuint sqesSize)
    {
        Fd = fd;
        _rings = rings;
        _ringsSize = ringsSize;
        _sqes = sqes;
        _sqesSize = sqesSize;
        var b = (byte*)rings;
        _sqHead = (uint*)(b + p.SqHead);
        _sqTail = (uint*)(b + p.SqTail);
        _sqFlags = (uint*)(b + p.SqFlags);
        _sqMask = *(uint*)(b + p.SqRingMask);
        _sqEntries = *(uint*)(b + p.SqRingEntries);
        _cqHead = (uint*)(b + p.CqHead);
        _cqTail = (uint*)(b + p.CqTail);
        _cqMask = *(uint*)(b + p.CqRingMask);
        _cqes = (UringCqe*)(b + p.CqCqes);
        // The SQ index array maps slot i to SQE i once and for all; SQEs are then used in ring order.
        var array = (uint*)(b + p.SqArray);
        for (uint i = 0; i < _sqEntries; i++) array[i] = i;
        _localTail = *_sqTail;
        _submitted = _localTail;
    }

    public int Fd { get; }

    /// <summary>Sets a ring up; null with the errno when the kernel (or a seccomp filter) refuses.</summary>
    public static Ring? Create(uint entries, bool singleIssuer, out int error)
    {
        // The single issuer prefers DEFER_TASKRUN (6.1+): completions are posted only when it asks for them, with no
        // interrupt of whatever it is doing; then COOP_TASKRUN (5.19+), no IPI but run on any kernel entry; then the
        // default, task work that interrupts the thread. TASKRUN_FLAG with either of the first two raises
        // IORING_SQ_TASKRUN when completions wait to be posted, which is what lets the loop spin without system calls.
        uint[] modes = singleIssuer
            ? [UringNative.SetupSingleIssuer | UringNative.SetupDeferTaskrun | UringNative.SetupTaskrunFlag, UringNative.SetupCoopTaskrun | UringNative.SetupTaskrunFlag, 0]
            : [0];
        UringParams p = default;
        var fd = -UringNative.EINVAL;
        foreach (var mode in modes)
        {
            p = default;
            p.Flags = UringNative.SetupCqSize | UringNative.SetupSubmitAll | mode;
            p.CqEntries = entries * 4;
            fd = UringNative.Setup(entries, &p);
            if (fd != -UringNative.EINVAL) break;
        }

        if (fd < 0)
        {
            error = -fd;
            return null;
        }

        if ((p.Features & UringNative.FeatSingleMmap) == 0 || (p.Features & UringNative.FeatNoDrop) == 0)
        {
            // Kernels before 5.5; not worth supporting two mappings.
            UringNative.Close(fd);
            error = UringNative.EINVAL;
            return null;
        }

        var sqSize = p.SqArray + p.SqEntries * sizeof(uint);
        var cqSize = p.CqCqes + p.CqEntries * (uint)sizeof(UringCqe);
        var ringsSize = (nuint)Math.Max(sqSize, cqSize);
        var rings = UringNative.Mmap(0, ringsSize, UringNative.ProtRead | UringNative.ProtWrite, UringNative.MapShared | UringNative.MapPopulate, fd, UringNative.OffSqRing);
        if (rings == -1)
        {
            error = Marshal.GetLastPInvokeError();
            UringNative.Close(fd);
            return null;
        }

        var sqesSize = (nuint)(p.SqEntries * sizeof(UringSqe));
        var sqes = UringNative.Mmap(0, sqesSize, UringNative.ProtRead | UringNative.ProtWrite, UringNative.MapShared | UringNative.MapPopulate, fd, UringNative.OffSqes);
        if (sqes == -1)
        {
            error = Marshal.GetLastPInvokeError();
            UringNative.Munmap(rings, ringsSize);
            UringNative.Close(fd);
            return null;
        }

        error = 0;
        return new Ring(fd, p, rings, ringsSize, sqes, sqesSize);
    }

    /// <summary>The next free SQE, zeroed; submits what is queued first when the ring is full.</summary>
    public UringSqe* NextSqe()
    {
        if (_localTail - Volatile.Read(ref *_sqHead) >= _sqEntries) Submit(0, 0);
        var sqe = (UringSqe*)_sqes + (_localTail & _sqMask);
        *sqe = default;
        _localTail++;
        return sqe;
    }

    /// <summary>SQEs queued since the last submit.</summary>
    public uint Pending => _localTail - _submitted;

    /// <summary>
    /// Submits what is queued and, with <paramref name="waitFor"/> above zero, waits until that many completions are
    /// ready. One system call for both: the batching that makes the engine pay. Returns 0 or -errno.
    /// </summary>
    public int Submit(uint waitFor, uint flags)
    {
        Volatile.Write(ref *_sqTail, _localTail);
        var toSubmit = _localTail - _submitted;
        if (waitFor > 0) flags |= UringNative.EnterGetEvents;
        while (true)
        {
            var r = UringNative.Enter(Fd, toSubmit, waitFor, flags);
            if (r >= 0)
            {
                _submitted += (uint)r;
                toSubmit -= (uint)r;
                if (toSubmit == 0) return 0;
                continue;
            }

            if (r == -UringNative.EINTR) continue;
            // EBUSY/EAGAIN: the CQ is full; the caller reaps and comes back.
            return r;
        }
    }

    /// <summary>The completions ready now: the caller reads them in order and then calls <see cref="Advance"/>.</summary>
    public uint Ready(out uint head)
    {
        head = *_cqHead;
        return Volatile.Read(ref *_cqTail) - head;
    }

    /// <summary>Completions are ready, or waiting to be posted by the next io_uring_enter with GETEVENTS.</summary>
    public bool HasWork => Volatile.Read(ref *_cqTail) != *_cqHead || (Volatile.Read(ref *_sqFlags) & UringNative.SqTaskrun) != 0;

    public ref UringCqe At(uint index) => ref _cqes[index & _cqMask];

    public void Advance(uint count) => Volatile.Write(ref *_cqHead, *_cqHead + count);

    public void Dispose()
    {
        UringNative.Munmap(_sqes, _sqesSize);
        UringNative.Munmap(_rings, _ringsSize);
        UringNative.Close(Fd);
    }
}
