using Fulcrum.Core.Model;

namespace Fulcrum.Simulation;

/// <summary>
/// The simulator's requests in flight, one slot each, as parallel arrays (nothing allocated per request) reused
/// through a free list. A hedged request's copy takes a slot of its own, linked to its original's. The arrays are
/// fields because they grow: the <see cref="Simulator"/> indexes them directly on its hot path.
/// </summary>
internal sealed class RequestSlots
{
    private const int InitialSize = 1024;
    private readonly Stack<int> _free = new();
    private int _used;

    public long[] Arrived = new long[InitialSize];
    public int[] BackendOf = new int[InitialSize];
    public int[] BalancerOf = new int[InitialSize];
    public int[] Attempts = new int[InitialSize];
    /// <summary>The next slot in the same backend's FIFO queue, or -1.</summary>
    public int[] Next = new int[InitialSize];
    public Lease[] Leases = new Lease[InitialSize];
    /// <summary>Arrived after the warm-up: counted in the figures.</summary>
    public bool[] Counted = new bool[InitialSize];
    /// <summary>On its retries: it holds a place in the retry budget.</summary>
    public bool[] Retrying = new bool[InitialSize];
    /// <summary>When its service began; -1 while it waits in a queue.</summary>
    public long[] StartedAt = new long[InitialSize];
    /// <summary>The request's arrival number, for its hedge timer; -1 once it ended (or for a copy).</summary>
    public long[] Serial = new long[InitialSize];
    /// <summary>An original's copy in flight, or -1.</summary>
    public int[] Copy = new int[InitialSize];
    /// <summary>A copy's original, or -1.</summary>
    public int[] CopyOf = new int[InitialSize];
    /// <summary>Cancelled in service: its completion event is stale, and the slot is free once that event comes up.</summary>
    public bool[] Cancelled = new bool[InitialSize];

    /// <summary>A free slot for a request arriving <paramref name="now"/>, reset to its first attempt.</summary>
    public int Take(long now, bool counted)
    {
        if (!_free.TryPop(out var slot))
        {
            slot = _used++;
            if (slot == Arrived.Length) Grow();
        }

        Arrived[slot] = now;
        BalancerOf[slot] = 0;
        Attempts[slot] = 1;
        Next[slot] = -1;
        Counted[slot] = counted;
        StartedAt[slot] = -1;
        Serial[slot] = -1;
        Copy[slot] = -1;
        CopyOf[slot] = -1;
        return slot;
    }

    public void Free(int slot) => _free.Push(slot);

    private void Grow()
    {
        var size = Arrived.Length * 2;
        Array.Resize(ref Arrived, size);
        Array.Resize(ref BackendOf, size);
        Array.Resize(ref BalancerOf, size);
        Array.Resize(ref Attempts, size);
        Array.Resize(ref Next, size);
        Array.Resize(ref Leases, size);
        Array.Resize(ref Counted, size);
        Array.Resize(ref Retrying, size);
        Array.Resize(ref StartedAt, size);
        Array.Resize(ref Serial, size);
        Array.Resize(ref Copy, size);
        Array.Resize(ref CopyOf, size);
        Array.Resize(ref Cancelled, size);
    }
}
