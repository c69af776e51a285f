using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Fulcrum.Core.IO.Uring;

/// <summary>
/// One thread with its own ring and provided-buffer ring, running the connections given to it (L4 relays, L7 client and
/// backend connections): like an nginx worker or a HAProxy thread, every operation of a connection is submitted and
/// completed here, and what a completion resumes runs here too. Each turn submits everything the last completions
/// queued and waits for the next in one io_uring_enter. Other threads hand work over through an inbox and wake the
/// loop through an eventfd the ring always has a read pending on.
/// </summary>
internal sealed unsafe class UringLoop
{
    private const uint Entries = 1024;
    private const ulong WakeData = ulong.MaxValue;
    /// <summary>The user_data of operations whose completion nobody waits for (a close): reaped and dropped.</summary>
    private const ulong IgnoredData = ulong.MaxValue - 1;

    /// <summary>
    /// How long a loop that just found work watches for more before it sleeps; 0, the default, sleeps at once. A
    /// keep-alive answer comes back tens of microseconds after its request went out, and each sleep costs a context
    /// switch and a wake-up (0.28 per request at 32 connections), so a spin looked like the way to HAProxy's rate. Measured
    /// (docs/performance.md "A bounded spin"), it did not pay: no gain on keep-alive, and on `Connection: close` it took
    /// the CPU from the process's own threads that accept, connect and close. FULCRUM_URING_SPIN=MICROSECONDS (up to
    /// 1000) turns it on, to measure again on a quiet machine or with the loops on CPUs of their own.
    /// </summary>
    private static readonly long DefaultSpinMicroseconds = SpinMicroseconds(Environment.GetEnvironmentVariable("FULCRUM_URING_SPIN"));

    [ThreadStatic]
    private static UringLoop? _current;

    private readonly ConcurrentQueue<(IUringWork Work, int What)> _inbox = new();
    private readonly List<IUringTarget?> _slots = [];
    private readonly Stack<int> _freeSlots = new();
    private readonly List<IUringTarget> _starving = [];
    private readonly int _bufferCount;
    private readonly int _bufferSize;
    private readonly long _spinTicks;
    private Ring? _ring;
    private BufferRing? _buffers;
    private int _eventFd = -1;
    private ulong* _eventValue;
    private int _wakePending;
    private bool _returned;
    private string? _failure;

    private UringLoop(int index, int bufferCount, int bufferSize, long spinMicroseconds)
    {
        Index = index;
        _bufferCount = bufferCount;
        _bufferSize = bufferSize;
        _spinTicks = Stopwatch.Frequency * spinMicroseconds / 1_000_000;
    }

    public Ring Ring => _ring!;
    public BufferRing Buffers => _buffers!;

    /// <summary>Its place among the process's loops (0 up).</summary>
    public int Index { get; }

    /// <summary>The loop thread's kernel id, for reading its CPU time (/proc/self/task/ID/schedstat).</summary>
    public int KernelThreadId { get; private set; }

    /// <summary>Targets registered on this loop now.</summary>
    public int Active { get; private set; }

    /// <summary>The loop whose thread this is; null on any other thread.</summary>
    public static UringLoop? Current => _current;

    /// <summary>True on this loop's own thread, where the ring may be used directly.</summary>
    public bool IsCurrent => _current == this;

    /// <summary>Starts a loop thread; null with the reason when its ring cannot be set up.</summary>
    public static UringLoop? Start(int index, int bufferCount, int bufferSize, out string? failure, long? spinMicroseconds = null)
    {
        var loop = new UringLoop(index, bufferCount, bufferSize, spinMicroseconds ?? DefaultSpinMicroseconds);
        using var ready = new ManualResetEventSlim();
        var thread = new Thread(() => loop.Run(ready)) { IsBackground = true, Name = $"fulcrum-uring-{index}" };
        thread.Start();
        ready.Wait();
        failure = loop._failure;
        return failure is null ? loop : null;
    }

    /// <summary>Hands work to this loop's thread, from any thread (on the loop's own it runs at the next turn).</summary>
    public void Post(IUringWork work, int what)
    {
        _inbox.Enqueue((work, what));
        // The loop's own thread drains the inbox before its next wait: no wake-up needed.
        if (_current != this && Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            ulong one = 1;
            UringNative.Write(_eventFd, &one, sizeof(ulong));
        }
    }

    public void ReturnBuffer(ushort buffer)
    {
        _buffers!.Return(buffer);
        _returned = true;
    }

    /// <summary>Asks for <see cref="IUringTarget.OnBuffersAvailable"/> once buffers come back.</summary>
    public void Starve(IUringTarget target) => _starving.Add(target);

    /// <summary>
    /// Closes a socket none of this ring's operations uses any more, in the next submission (IORING_OP_CLOSE) where the
    /// kernel has it, else at once with close(2). Loop thread only: the descriptor stays open, its number taken, until
    /// the submission, which this thread makes.
    /// </summary>
    public void Close(int fd)
    {
        if (!UringFeatures.Close)
        {
            UringNative.Close(fd);
            return;
        }

        var sqe = _ring!.NextSqe();
        sqe->Opcode = UringNative.OpClose;
        sqe->Fd = fd;
        sqe->UserData = IgnoredData;
    }

    /// <summary>Gives a target a slot: the high bits of its operations' user_data. Loop thread only.</summary>
    public int Register(IUringTarget target)
    {
        if (_freeSlots.TryPop(out var slot)) _slots[slot] = target;
        else
        {
            slot = _slots.Count;
            _slots.Add(target);
        }

        Active++;
        return slot;
    }

    /// <summary>Frees a slot once none of its target's operations is left in the kernel. Loop thread only.</summary>
    public void Unregister(int slot)
    {
        _slots[slot] = null;
        _freeSlots.Push(slot);
        Active--;
    }

    private void Run(ManualResetEventSlim ready)
    {
        // Set up on this thread: a single-issuer ring belongs to the thread that created it.
        _current = this;
        KernelThreadId = UringNative.GetTid();
        _ring = Ring.Create(Entries, singleIssuer: true, out var ringError);
        if (_ring is not null) _buffers = BufferRing.Register(_ring, 0, _bufferCount, _bufferSize, out ringError);
        if (_ring is not null && _buffers is not null) _eventFd = UringNative.EventFd(0, UringNative.EfdCloexec | UringNative.EfdNonblock);
        if (_ring is null || _buffers is null || _eventFd < 0)
        {
            _failure = _ring is null ? $"io_uring_setup failed: errno {ringError}" : _buffers is null ? $"IORING_REGISTER_PBUF_RING failed: errno {ringError}" : "eventfd failed";
            _buffers?.Dispose();
            _ring?.Dispose();
            ready.Set();
            return;
        }

        _eventValue = (ulong*)NativeMemory.Alloc(sizeof(ulong));
        ArmWake();
        ready.Set();
        var busy = false;
        while (true)
        {
            while (_inbox.TryDequeue(out var work))
            {
                busy = true;
                work.Work.Run(work.What);
            }

            // With the spin off (the default) every turn submits and sleeps in one call.
            if (busy && _spinTicks > 0)
            {
                // Submit and post what the kernel has (GETEVENTS without a minimum runs the deferred task work) but do
                // not sleep: a busy loop's next completion is usually microseconds away, and sleeping for it costs a
                // context switch and a wake-up each time. Only when a spin finds nothing does the next turn sleep.
                _ring.Submit(0, UringNative.EnterGetEvents);
                busy = Reap() || Spin();
                continue;
            }

            // Submit and wait in one call; EBUSY means completions must be reaped first, which comes next anyway.
            _ring.Submit(1, 0);
            busy = Reap();
        }
    }

    /// <summary>
    /// Watches the rings and the inbox for up to the spin bound after a turn that found work; true when more
    /// arrived. Reading the rings is plain memory (IORING_SQ_TASKRUN says completions wait to be posted), so a spin
    /// that finds work costs no system call, and one that finds none costs at most the bound, once per burst: an idle
    /// loop never gets here, since only completions or handed-over work make a turn busy.
    /// </summary>
    private bool Spin()
    {
        // The raw clock, not a TimeProvider: this bounds a busy-wait on this thread, it is no timeout a test drives.
        var until = Stopwatch.GetTimestamp() + _spinTicks;
        do
        {
            if (_ring!.HasWork || !_inbox.IsEmpty) return true;
            Thread.SpinWait(1);
        }
        while (Stopwatch.GetTimestamp() < until);
        return false;
    }

    private static long SpinMicroseconds(string? variable) =>
        long.TryParse(variable, out var us) && us is >= 0 and <= 1000 ? us : 0;

    /// <summary>Runs the ready completions; true when there were any.</summary>
    private bool Reap()
    {
        var ring = _ring!;
        var any = false;
        while (true)
        {
            var count = ring.Ready(out var head);
            if (count == 0) break;
            any = true;
            for (uint i = 0; i < count; i++)
            {
                ref var cqe = ref ring.At(head + i);
                var data = cqe.UserData;
                var res = cqe.Res;
                var flags = cqe.Flags;
                if (data >= IgnoredData)
                {
                    if (data == WakeData)
                    {
                        Interlocked.Exchange(ref _wakePending, 0);
                        ArmWake();
                    }

                    continue;
                }

                _slots[(int)(data >> 8)]?.OnCompletion((int)(data & 0xff), res, flags);
            }

            ring.Advance(count);
        }

        if (_returned && _starving.Count > 0)
        {
            _returned = false;
            var starving = _starving.ToArray();
            _starving.Clear();
            foreach (var target in starving) target.OnBuffersAvailable();
        }

        _returned = false;
        return any;
    }

    private void ArmWake()
    {
        var sqe = _ring!.NextSqe();
        sqe->Opcode = UringNative.OpRead;
        sqe->Fd = _eventFd;
        sqe->Addr = (ulong)_eventValue;
        sqe->Len = sizeof(ulong);
        sqe->Off = ulong.MaxValue;
        sqe->UserData = WakeData;
    }
}
