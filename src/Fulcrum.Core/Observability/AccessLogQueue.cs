namespace Fulcrum.Core.Observability;

/// <summary>
/// The bounded queue between requests (many writers) and the access log's writer thread (one reader): a ring
/// of slots, each with a sequence number that says whose turn it is, after Dmitry Vyukov's bounded MPMC queue
/// (1024cores.net, "Bounded MPMC queue"), with the single reader needing no CAS. Adding a line is one CAS and
/// one copy, with no lock and no wake-up: the reader polls, batching lines anyway. A full queue refuses the
/// line at once, and the caller counts the drop.
/// </summary>
internal sealed class AccessLogQueue
{
    private readonly Slot[] _slots;
    private long _enqueue;
    private long _dequeue;

    public AccessLogQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _slots = new Slot[capacity];
        for (var i = 0; i < capacity; i++) _slots[i].Sequence = i;
    }

    public int Capacity => _slots.Length;

    /// <summary>Copies the entry into a free slot; false (at once) when the queue is full.</summary>
    public bool TryAdd(in AccessLogEntry entry)
    {
        var position = Volatile.Read(ref _enqueue);
        while (true)
        {
            ref var slot = ref _slots[(int)(position % _slots.Length)];
            var lag = Volatile.Read(ref slot.Sequence) - position;
            if (lag == 0)
            {
                var seen = Interlocked.CompareExchange(ref _enqueue, position + 1, position);
                if (seen == position)
                {
                    slot.Entry = entry;
                    Volatile.Write(ref slot.Sequence, position + 1); // publishes the entry to the reader
                    return true;
                }

                position = seen; // another writer took this slot: try the next
            }
            else if (lag < 0)
            {
                return false; // the slot still holds a line the reader has not taken: full
            }
            else
            {
                position = Volatile.Read(ref _enqueue);
            }
        }
    }

    /// <summary>The oldest entry, if one is ready. One reader only.</summary>
    public bool TryTake(out AccessLogEntry entry)
    {
        var position = _dequeue;
        ref var slot = ref _slots[(int)(position % _slots.Length)];
        if (Volatile.Read(ref slot.Sequence) != position + 1)
        {
            entry = default;
            return false;
        }

        entry = slot.Entry;
        slot.Entry = default; // let the strings go
        Volatile.Write(ref slot.Sequence, position + _slots.Length); // free for the writer one lap ahead
        _dequeue = position + 1;
        return true;
    }

    private struct Slot
    {
        public long Sequence;
        public AccessLogEntry Entry;
    }
}
