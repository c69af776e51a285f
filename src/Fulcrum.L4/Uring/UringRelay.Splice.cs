using Fulcrum.Core.IO.Uring;

namespace Fulcrum.L4.Uring;

/// <summary>The relay's splice half: a bulk direction moves socket to pipe to socket (see <see cref="UringSplice"/>).</summary>
internal sealed unsafe partial class UringRelay
{
    // A bulk direction: its receive is cancelled; once it has ended and what it delivered is sent, splices take over.
    private void StartSplice(UringDirection d, int index)
    {
        d.Splice = UringSplice.TryCreate(d.From, d.To);
        if (d.Splice is not null && d.Armed && !d.Cancelling) CancelReceive(d, index);
    }

    private void OnSplicedIn(UringDirection d, int index, int res)
    {
        var splice = d.Splice!;
        splice.Busy = false;
        if (_aborting) return;
        if (res > 0)
        {
            _owner.Touch();
            splice.Pending = res;
            SubmitSplice(splice, d.To, splice.Read, res, 7 + index);
        }
        else if (res == 0)
        {
            d.Eof = true;
            PassFin(d);
        }
        else if (res == -UringNative.EINTR || res == -UringNative.EAGAIN)
        {
            Resume(d, index);
        }
        else
        {
            Fail(d, reading: true);
        }
    }

    private void OnSplicedOut(UringDirection d, int index, int res)
    {
        var splice = d.Splice!;
        splice.Busy = false;
        if (_aborting) return;
        if (res <= 0 && res != -UringNative.EINTR && res != -UringNative.EAGAIN)
        {
            Fail(d, reading: false);
            return;
        }

        if (res > 0)
        {
            _owner.Moved(d.ToBackend, res);
            splice.Pending -= res;
        }

        if (splice.Pending > 0) SubmitSplice(splice, d.To, splice.Read, splice.Pending, 7 + index);
        else Resume(d, index);
    }

    private void SubmitSplice(UringSplice splice, int to, int from, int length, int kind)
    {
        splice.Busy = true;
        var sqe = _loop.Ring.NextSqe();
        sqe->Opcode = UringNative.OpSplice;
        sqe->Fd = to;
        sqe->SpliceFdIn = from;
        // -1: no offset on either side (sockets and pipes have none).
        sqe->Off = ulong.MaxValue;
        sqe->Addr = ulong.MaxValue;
        sqe->Len = (uint)length;
        sqe->OpFlags = UringNative.SpliceMove;
        sqe->UserData = UserData(kind);
        _operations++;
    }
}
