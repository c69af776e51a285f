namespace Fulcrum.Core.IO.Uring;

/// <summary>
/// One loop's multishot accept on a listening socket (<see cref="UringAcceptor"/>): armed once, it posts a completion
/// per connection until the kernel ends it (then it is armed again) or a stop cancels it.
/// </summary>
internal sealed class UringAccept(UringLoop loop, int listenFd, Action<UringLoop, int> accepted, Action<int>? failed, TimeProvider time)
    : IUringTarget, IUringWork
{
    public const int WorkArm = 0;
    public const int WorkStop = 1;

    private const int KindAccept = 0;
    private const int KindCancel = 1;

    /// <summary>After EMFILE and the like: long enough not to spin, short enough that clients barely notice.</summary>
    private static readonly TimeSpan RetryAfter = TimeSpan.FromMilliseconds(10);

    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _slot = -1;
    private int _operations;
    private bool _armed;
    private bool _stopping;

    public UringLoop Loop => loop;
    public Task Stopped => _stopped.Task;

    // ---- loop thread only below ----

    public void Run(int what)
    {
        switch (what)
        {
            case WorkArm:
                if (_stopping || _armed) break;
                if (_slot < 0) _slot = loop.Register(this);
                Arm();
                break;
            case WorkStop:
                _stopping = true;
                if (_armed) Cancel();
                else TryFinish();
                break;
        }
    }

    private unsafe void Arm()
    {
        var sqe = loop.Ring.NextSqe();
        sqe->Opcode = UringNative.OpAccept;
        sqe->Fd = listenFd;
        sqe->IoPrio = UringNative.AcceptMultishot;
        // No address: the kernel would write every connection's into the same buffer; whoever needs it asks the socket.
        sqe->OpFlags = UringNative.SockCloexec;
        sqe->UserData = UserData(KindAccept);
        _armed = true;
        _operations++;
    }

    private unsafe void Cancel()
    {
        var sqe = loop.Ring.NextSqe();
        sqe->Opcode = UringNative.OpAsyncCancel;
        sqe->Fd = -1;
        sqe->Addr = UserData(KindAccept);
        sqe->UserData = UserData(KindCancel);
        _operations++;
    }

    private ulong UserData(int kind) => ((ulong)(uint)_slot << 8) | (uint)kind;

    public void OnCompletion(int kind, int res, uint flags)
    {
        var more = (flags & UringNative.CqeMore) != 0;
        if (!more) _operations--;
        if (kind == KindAccept)
        {
            if (res >= 0) Hand(res);
            if (!more)
            {
                _armed = false;
                // EINVAL: the socket no longer listens (shut down or closed under the accept): nothing to take up again.
                if (!_stopping && res != -UringNative.EINVAL)
                {
                    if (res >= 0 || res == -UringNative.ECANCELED)
                    {
                        Arm(); // the kernel ended the multishot (a full CQ, say): take it up again
                    }
                    else
                    {
                        failed?.Invoke(-res);
                        // Arming again at once would fail again at once (EMFILE): wait a little, off the loop.
                        _ = RetryLaterAsync();
                    }
                }
            }
        }

        TryFinish();
    }

    private void Hand(int fd) => accepted(loop, fd);

    /// <summary>
    /// The kernel wakes one waiting accept per new connection (exclusive wake-up). If this ring took the wake-up and its
    /// cancel then ran before the accept did (the accept runs as deferred task work, the cancel at submission), the
    /// connection stays queued and nobody else is woken: with a takeover, the new process's rings would not see it until
    /// the next client came. So the last thing a stopping accept does is take what is queued, without waiting (the
    /// socket is non-blocking, <see cref="UringAcceptor"/>), and hand it on like any other connection.
    /// </summary>
    private void TakeStranded()
    {
        // Bounded: a flood during a stop must not keep the loop here.
        for (var i = 0; i < 256; i++)
        {
            var fd = UringNative.Accept4(listenFd, 0, 0, UringNative.SockCloexec);
            if (fd < 0) return; // EAGAIN: nothing queued (or the socket is gone)
            Hand(fd);
        }
    }

    private async Task RetryLaterAsync()
    {
        await Task.Delay(RetryAfter, time).ConfigureAwait(false);
        loop.Post(this, WorkArm);
    }

    public void OnBuffersAvailable()
    {
    }

    private void TryFinish()
    {
        if (!_stopping || _operations > 0) return;
        TakeStranded();
        if (_slot >= 0)
        {
            loop.Unregister(_slot);
            _slot = -1;
        }

        _stopped.TrySetResult();
    }
}
