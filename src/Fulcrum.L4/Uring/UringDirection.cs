using Fulcrum.Core.IO.Uring;
namespace Fulcrum.L4.Uring;

/// <summary>
/// One direction of a relay on the io_uring engine: a multishot receive on <see cref="From"/> filling provided
/// buffers, and one send at a time to <see cref="To"/>. Buffers that arrive while a send is pending wait here in
/// order; past <see cref="UringRelay.MaxQueued"/> the receive is cancelled until they are sent (backpressure).
/// Touched only by the loop thread.
/// </summary>
internal sealed class UringDirection(int from, int to, bool toBackend)
{
    private long[]? _queue;
    private int _queueHead;

    public int From { get; } = from;
    public int To { get; } = to;
    public bool ToBackend { get; } = toBackend;

    /// <summary>The multishot receive is live (its last completion carried IORING_CQE_F_MORE).</summary>
    public bool Armed;
    /// <summary>A cancel for this receive was submitted and has not completed the receive yet.</summary>
    public bool Cancelling;
    public bool Sending;
    public ushort SendBuffer;
    public int SendOffset;
    public int SendLength;
    /// <summary>The FIN arrived; it goes on once the queued bytes have.</summary>
    public bool Eof;
    /// <summary>The FIN was passed on: nothing more happens in this direction.</summary>
    public bool Done;
    /// <summary>Waiting in the loop's list for a free buffer (the last receive ended with ENOBUFS).</summary>
    public bool Starving;

    /// <summary>Receives in a row that filled their whole buffer; a short one starts the count again.</summary>
    public int FullReceives;
    /// <summary>Set once the direction moves its bytes by splice; its receive is cancelled, then never armed again.</summary>
    public UringSplice? Splice;

    public int Queued { get; private set; }

    public void Enqueue(ushort buffer, int length)
    {
        // Allocated on the first queued buffer: a connection whose sends keep up never needs it.
        _queue ??= new long[UringRelay.MaxQueued + 4];
        if (Queued == _queue.Length)
        {
            // More completions than MaxQueued can arrive before the cancel lands; keep them in order.
            var bigger = new long[_queue.Length * 2];
            for (var i = 0; i < Queued; i++) bigger[i] = _queue[(_queueHead + i) % _queue.Length];
            _queue = bigger;
            _queueHead = 0;
        }

        _queue[(_queueHead + Queued) % _queue.Length] = ((long)buffer << 32) | (uint)length;
        Queued++;
    }

    public (ushort Buffer, int Length) Dequeue()
    {
        var item = _queue![_queueHead];
        _queueHead = (_queueHead + 1) % _queue.Length;
        Queued--;
        return ((ushort)(item >> 32), (int)(uint)item);
    }
}
