using System.Buffers;
using Fulcrum.Core.IO.Uring;

namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// A connection's output: frames are appended to one buffer under the connection's lock and leave in as few writes as
/// possible. While the read loop works through what one read brought (a turn), nothing is written; the turn's end
/// writes every frame it and the streams produced, as one TLS record where it fits (docs/performance.md, "HTTP/2
/// (Kestrel): where the time goes"). Outside a turn, the first frame starts a write on the thread that queued it, and
/// frames queued while that write is under way leave together in the next. One writer at a time, no thread hop. On an
/// io_uring loop the write waits for the end of the loop's turn instead (<see cref="Start"/>): the responses of every
/// backend answer and the frames of every read the turn's completions brought leave as one TLS record and one send.
/// </summary>
internal sealed class Http2Writer(object sync, Stream stream, Action failed, UringLoop? loop = null) : IUringWork
{
    /// <summary>Past this much unsent output, streams writing bodies wait (backpressure from a slow client).</summary>
    public const int HighWater = 256 * 1024;
    private const int KeepCapacity = 64 * 1024;

    private ArrayBufferWriter<byte> _pending = new(4096);
    private ArrayBufferWriter<byte>? _spare = new(4096);
    private bool _writing;
    private bool _inTurn;
    private bool _failed;
    private TaskCompletionSource? _room;
    private TaskCompletionSource? _idle;

    /// <summary>Where frames go; only under the connection's lock.</summary>
    public IBufferWriter<byte> Output => _pending;
    /// <summary>Bytes queued and not yet handed to the socket; only under the lock.</summary>
    public int Pending => _pending.WrittenCount;
    public bool Failed => _failed;
    /// <summary>Writes that completed; under the lock. A client that floods control frames without reading stops this from moving.</summary>
    public long WriteCount { get; private set; }

    /// <summary>Under the lock: the read loop starts a turn; frames queued now wait for its end.</summary>
    public void BeginTurn() => _inTurn = true;

    /// <summary>Under the lock: the turn ended; true when the caller must <see cref="Start"/> a write once it let go of the lock.</summary>
    public bool EndTurn()
    {
        _inTurn = false;
        return Due();
    }

    /// <summary>Under the lock, after frames were queued: true when the caller must <see cref="Start"/> a write once it let go of the lock.</summary>
    public bool Queued() => !_inTurn && Due();

    private bool Due()
    {
        if (_writing || _failed || _pending.WrittenCount == 0) return false;
        _writing = true;
        return true;
    }

    /// <summary>
    /// Writes until nothing is pending; called without the lock after <see cref="Queued"/> or <see cref="EndTurn"/> said
    /// so. On the connection's io_uring loop the write is posted to the loop, which runs it once the turn's completions
    /// are all handled and before it submits: whatever the other streams and reads of the turn queue meanwhile goes in
    /// the same write (docs/performance.md, "h2: buffers per ring and one write per ring turn").
    /// </summary>
    public void Start()
    {
        if (loop is { IsCurrent: true })
        {
            loop.Post(this, 0);
            return;
        }

        WriteNow();
    }

    void IUringWork.Run(int what) => WriteNow();

    // A write that completes at once loops here without an async state machine; one that waits goes on in ContinueAsync.
    private void WriteNow()
    {
        try
        {
            while (Next() is { } batch)
            {
                var write = stream.WriteAsync(batch.WrittenMemory);
                if (!write.IsCompletedSuccessfully)
                {
                    _ = ContinueAsync(write, batch);
                    return;
                }

                write.GetAwaiter().GetResult();
                Written(batch);
            }
        }
        catch (Exception)
        {
            Fail();
        }
    }

    private async Task ContinueAsync(ValueTask write, ArrayBufferWriter<byte> batch)
    {
        try
        {
            await write;
            Written(batch);
        }
        catch (Exception)
        {
            Fail();
            return;
        }

        // Still the writer: what was queued meanwhile leaves next (at the turn's end on a loop), or the writer stops.
        Start();
    }

    // The pending frames to write next, or null (and the writer stops) when there are none.
    private ArrayBufferWriter<byte>? Next()
    {
        TaskCompletionSource? room, idle = null;
        ArrayBufferWriter<byte>? batch = null;
        lock (sync)
        {
            if (_pending.WrittenCount == 0 || _failed)
            {
                _writing = false;
                (idle, _idle) = (_idle, null);
            }
            else
            {
                batch = _pending;
                _pending = _spare ?? new ArrayBufferWriter<byte>(4096);
                _spare = null;
            }

            (room, _room) = (_room, null);
        }

        room?.TrySetResult();
        idle?.TrySetResult();
        return batch;
    }

    private void Written(ArrayBufferWriter<byte> batch)
    {
        batch.ResetWrittenCount();
        lock (sync)
        {
            _spare = batch.Capacity > KeepCapacity ? null : batch;
            WriteCount++;
        }
    }

    private void Fail()
    {
        TaskCompletionSource? room, idle;
        lock (sync)
        {
            _failed = true;
            _writing = false;
            (room, _room) = (_room, null);
            (idle, _idle) = (_idle, null);
        }

        room?.TrySetResult();
        idle?.TrySetResult();
        failed();
    }

    /// <summary>Completes when the output is under <see cref="HighWater"/> again (or the connection failed).</summary>
    public ValueTask WaitForRoomAsync()
    {
        lock (sync)
        {
            if (_pending.WrittenCount < HighWater || _failed || !_writing) return ValueTask.CompletedTask;
            return new ValueTask((_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task);
        }
    }

    /// <summary>Completes when everything queued has been written (or the connection failed).</summary>
    public Task WhenIdleAsync()
    {
        lock (sync)
        {
            if (!_writing || _failed) return Task.CompletedTask;
            return (_idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }
}
