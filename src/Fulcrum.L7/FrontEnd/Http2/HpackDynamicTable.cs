namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// HPACK's dynamic table (RFC 7541 sections 2.3.2 and 4): newest entry first, evicting the oldest when an insert or a
/// smaller maximum would exceed the size. A ring of entries; the strings are shared with the headers decoded from it,
/// so a field a client repeats by index costs no allocation.
/// </summary>
internal sealed class HpackDynamicTable(int maxSize)
{
    private HpackEntry[] _ring = new HpackEntry[16];
    private int _head;  // the slot the next insert takes
    private int _count;

    public int Count => _count;
    /// <summary>The sum of the entries' sizes.</summary>
    public int Size { get; private set; }
    public int MaxSize { get; private set; } = maxSize;

    /// <summary>Entry <paramref name="index"/>, 0 the newest.</summary>
    public HpackEntry this[int index] => _ring[(_head - 1 - index + _ring.Length * 2) % _ring.Length];

    public void SetMaxSize(int maxSize)
    {
        MaxSize = maxSize;
        Evict(0);
    }

    /// <summary>Adds an entry; one larger than the whole table empties it and is not added (section 4.4).</summary>
    public void Insert(HpackEntry entry)
    {
        if (entry.Size > MaxSize)
        {
            Clear();
            return;
        }

        Evict(entry.Size);
        if (_count == _ring.Length) Grow();
        _ring[_head] = entry;
        _head = (_head + 1) % _ring.Length;
        _count++;
        Size += entry.Size;
    }

    public void Clear()
    {
        Array.Clear(_ring);
        _head = _count = 0;
        Size = 0;
    }

    private void Evict(int room)
    {
        while (_count > 0 && Size + room > MaxSize)
        {
            var oldest = (_head - _count + _ring.Length) % _ring.Length;
            Size -= _ring[oldest].Size;
            _ring[oldest] = default;
            _count--;
        }
    }

    private void Grow()
    {
        var next = new HpackEntry[_ring.Length * 2];
        for (var i = 0; i < _count; i++) next[_count - 1 - i] = this[i];
        _ring = next;
        _head = _count;
    }
}
