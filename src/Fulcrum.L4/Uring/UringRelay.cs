using Fulcrum.Core.IO.Uring;
using Fulcrum.Core.Model;
using Fulcrum.L4.Pump;

namespace Fulcrum.L4.Uring;

/// <summary>
/// One connection's relay on a <see cref="UringLoop"/>: both directions' state machines, driven by completions on the
/// loop's thread. Done when both FINs have gone on (or it was aborted) and no operation of it is left in the kernel;
/// only then may the connection close the sockets, since the kernel may still hold them.
/// </summary>
internal sealed unsafe partial class UringRelay : IPumpAbort, IUringTarget, IUringWork
{
    /// <summary>Posted work: start relaying, or abort.</summary>
    public const int StartWork = 0;
    public const int AbortWork = 1;

    /// <summary>Buffers a direction may hold besides the one being sent before its receive is cancelled.</summary>
    public const int MaxQueued = 3;

    private readonly UringLoop _loop;
    private readonly IPumpOwner _owner;
    private readonly TaskCompletionSource _done = new();
    private readonly UringDirection _up;
    private readonly UringDirection _down;
    private int _operations;
    private bool _started;
    private bool _aborting;
    private bool _completed;

    public UringRelay(UringLoop loop, IPumpOwner owner, int client, int backend)
    {
        _loop = loop;
        _owner = owner;
        _up = new UringDirection(client, backend, toBackend: true);
        _down = new UringDirection(backend, client, toBackend: false);
    }

    /// <summary>Index in the loop's table, the high bits of every user_data of this relay.</summary>
    public int Slot { get; private set; }

    public Task Completion => _done.Task;

    /// <summary>From any thread (the sweeper, the data plane's stop, the loop itself: at once there).</summary>
    public void Abort()
    {
        if (_loop.IsCurrent) AbortNow();
        else _loop.Post(this, AbortWork);
    }

    // ---- loop thread only below ----

    public void Run(int what)
    {
        if (what == AbortWork) AbortNow();
        else Start();
    }

    private void Start()
    {
        Slot = _loop.Register(this);
        _started = true;
        if (_aborting)
        {
            TryComplete();
            return;
        }

        Arm(_up, 0);
        Arm(_down, 1);
    }

    private void AbortNow()
    {
        if (_aborting || _completed) return;
        _aborting = true;
        if (!_started) return;
        // Every operation on either socket, the multishot receives and pending sends alike, ends with -ECANCELED.
        CancelFd(_up.From);
        CancelFd(_down.From);
        // A splice in names the pipe as its file, not the socket.
        if (_up.Splice is { } up) CancelFd(up.Write);
        if (_down.Splice is { } down) CancelFd(down.Write);
        TryComplete();
    }

    public void OnCompletion(int kind, int res, uint flags)
    {
        if ((flags & UringNative.CqeMore) == 0) _operations--;
        switch (kind)
        {
            case 0: OnReceive(_up, 0, res, flags); break;
            case 1: OnReceive(_down, 1, res, flags); break;
            case 2: OnSent(_up, 0, res); break;
            case 3: OnSent(_down, 1, res); break;
            case 5: OnSplicedIn(_up, 0, res); break;
            case 6: OnSplicedIn(_down, 1, res); break;
            case 7: OnSplicedOut(_up, 0, res); break;
            case 8: OnSplicedOut(_down, 1, res); break;
        }

        TryComplete();
    }

    /// <summary>Buffers came back to the ring: a direction that ran out tries again.</summary>
    public void OnBuffersAvailable()
    {
        if (_up.Starving) Resume(_up, 0);
        if (_down.Starving) Resume(_down, 1);
    }

    private void OnReceive(UringDirection d, int index, int res, uint flags)
    {
        if ((flags & UringNative.CqeMore) == 0)
        {
            d.Armed = false;
            d.Cancelling = false;
        }

        if ((flags & UringNative.CqeBuffer) != 0)
        {
            var buffer = (ushort)(flags >> UringNative.CqeBufferShift);
            _loop.Buffers.Taken();
            if (res <= 0 || _aborting)
            {
                _loop.ReturnBuffer(buffer);
            }
            else
            {
                // Activity is bytes arriving: touched before they go on, as the epoll engine does.
                _owner.Touch();
                // Full buffers in a row are a stream, not request and response: the signal to splice.
                d.FullReceives = res == _loop.Buffers.BufferSize ? d.FullReceives + 1 : 0;
                if (d.Sending) d.Enqueue(buffer, res);
                else Send(d, index, buffer, 0, res);
                if (d.Queued >= MaxQueued && d.Armed && !d.Cancelling) CancelReceive(d, index);
                return;
            }
        }

        if (_aborting) return;
        if (res == 0)
        {
            d.Eof = true;
            if (!d.Sending) PassFin(d);
            return;
        }

        if (res == -UringNative.ENOBUFS || res == -UringNative.ECANCELED)
        {
            // Out of buffers, or our own backpressure cancel: receive again once this direction's queue is sent.
            if (!d.Sending) Resume(d, index);
            return;
        }

        if (res < 0) Fail(d, reading: true);
    }

    private void OnSent(UringDirection d, int index, int res)
    {
        if (res <= 0 || _aborting)
        {
            d.Sending = false;
            _loop.ReturnBuffer(d.SendBuffer);
            if (!_aborting) Fail(d, reading: false);
            return;
        }

        _owner.Moved(d.ToBackend, res);
        if (res < d.SendLength - d.SendOffset)
        {
            // A short send: the rest of the same buffer, before anything queued behind it.
            SubmitSend(d, index, d.SendOffset + res);
            return;
        }

        d.Sending = false;
        _loop.ReturnBuffer(d.SendBuffer);
        if (d.Queued > 0)
        {
            var (buffer, length) = d.Dequeue();
            Send(d, index, buffer, 0, length);
            return;
        }

        if (d.Eof)
        {
            PassFin(d);
            return;
        }

        if (d.Splice is null && UringSplice.FullReceives > 0 && d.FullReceives >= UringSplice.FullReceives) StartSplice(d, index);
        Resume(d, index);
    }

    private void Resume(UringDirection d, int index)
    {
        if (d.Armed || d.Eof || d.Done || _aborting || d.Sending) return;
        if (d.Splice is { } splice)
        {
            if (!splice.Busy) SubmitSplice(splice, splice.Write, d.From, UringSplice.Chunk, 5 + index);
            return;
        }

        if (_loop.Buffers.Available == 0)
        {
            if (!d.Starving)
            {
                d.Starving = true;
                _loop.Starve(this);
            }

            return;
        }

        d.Starving = false;
        Arm(d, index);
    }

    private void Arm(UringDirection d, int index)
    {
        var sqe = _loop.Ring.NextSqe();
        sqe->Opcode = UringNative.OpRecv;
        sqe->Fd = d.From;
        sqe->IoPrio = UringNative.RecvMultishot;
        sqe->Flags = UringNative.SqeBufferSelect;
        sqe->BufGroup = _loop.Buffers.Group;
        sqe->UserData = UserData(index);
        d.Armed = true;
        _operations++;
    }

    private void Send(UringDirection d, int index, ushort buffer, int offset, int length)
    {
        d.Sending = true;
        d.SendBuffer = buffer;
        d.SendLength = length;
        SubmitSend(d, index, offset);
    }

    private void SubmitSend(UringDirection d, int index, int offset)
    {
        d.SendOffset = offset;
        var sqe = _loop.Ring.NextSqe();
        sqe->Opcode = UringNative.OpSend;
        sqe->Fd = d.To;
        sqe->Addr = (ulong)(_loop.Buffers.Address(d.SendBuffer) + offset);
        sqe->Len = (uint)(d.SendLength - offset);
        sqe->OpFlags = UringNative.MsgNoSignal;
        sqe->UserData = UserData(2 + index);
        _operations++;
    }

    private void CancelReceive(UringDirection d, int index)
    {
        d.Cancelling = true;
        var sqe = _loop.Ring.NextSqe();
        sqe->Opcode = UringNative.OpAsyncCancel;
        sqe->Fd = -1;
        sqe->Addr = UserData(index);
        sqe->UserData = UserData(4);
        _operations++;
    }

    private void CancelFd(int fd)
    {
        var sqe = _loop.Ring.NextSqe();
        sqe->Opcode = UringNative.OpAsyncCancel;
        sqe->Fd = fd;
        sqe->OpFlags = UringNative.CancelFd | UringNative.CancelAll;
        sqe->UserData = UserData(4);
        _operations++;
    }

    private ulong UserData(int kind) => ((ulong)(uint)Slot << 8) | (uint)kind;

    // FIN: pass it on and let the other direction keep flowing (half-close). The second FIN of the two needs no
    // shutdown: both sides have sent theirs and every byte has been read, so the relay ends and the connection closes
    // both sockets at once, and a close with nothing unread sends the FIN itself. One system call fewer per connection.
    private void PassFin(UringDirection d)
    {
        d.Done = true;
        var other = ReferenceEquals(d, _up) ? _down : _up;
        if (!other.Done) UringNative.Shutdown(d.To, UringNative.ShutWrite);
    }

    // A reset on either side ends both directions. Blame the side whose operation failed.
    private void Fail(UringDirection d, bool reading)
    {
        var backendFailed = reading ? !d.ToBackend : d.ToBackend;
        _owner.Abort(backendFailed ? Outcome.Reset : Outcome.ClientAbort);
        // The owner's abort comes back through Abort(), acted on at once on this thread; unless the connection
        // was aborted already, by a thread whose request is still on its way.
        AbortNow();
    }

    private void TryComplete()
    {
        if (_completed || _operations > 0) return;
        if (!_aborting && !(_up.Done && _down.Done)) return;
        _completed = true;
        Release(_up);
        Release(_down);
        _up.Splice?.Dispose();
        _down.Splice?.Dispose();
        _loop.Unregister(Slot);
        _done.TrySetResult();
    }

    private void Release(UringDirection d)
    {
        while (d.Queued > 0) _loop.ReturnBuffer(d.Dequeue().Buffer);
    }
}
