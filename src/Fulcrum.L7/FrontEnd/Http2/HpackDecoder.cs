using System.Text;

namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// Decodes HPACK header blocks (RFC 7541) for one connection: integers (section 5.1), string literals plain or Huffman
/// (section 5.2), the four field representations and dynamic table size updates (section 6), against the static table
/// and this connection's dynamic table. Names and values become strings once; a field the client repeats by index
/// hands out the string the table holds. The decoded header list is bounded (SETTINGS_MAX_HEADER_LIST_SIZE, counted as
/// RFC 9113 section 6.5.2 does): past the limit the block is still decoded, so the table stays in step and the request
/// can get a 431, but nothing more reaches the sink; past four times the limit (a small block that references a large
/// entry again and again) decoding stops.
/// </summary>
internal sealed class HpackDecoder(int maxTableSize, int maxHeaderListSize)
{
    private readonly HpackDynamicTable _table = new(maxTableSize);
    private byte[] _scratch = new byte[256];

    public HpackDynamicTable Table => _table;
    /// <summary>The largest table size this side allows (its SETTINGS_HEADER_TABLE_SIZE); an update above it is an error.</summary>
    public int MaxTableSize { get; } = maxTableSize;
    public int MaxHeaderListSize { get; } = maxHeaderListSize;
    /// <summary>The last block had a field name that HTTP/2 forbids (uppercase, not a token): the request is malformed (RFC 9113 section 8.2.1).</summary>
    public bool SawInvalidName { get; private set; }

    public HpackStatus Decode(ReadOnlySpan<byte> block, IHpackSink sink)
    {
        SawInvalidName = false;
        var position = 0;
        var listSize = 0;
        var fieldSeen = false;
        while (position < block.Length)
        {
            var first = block[position];
            string name, value;
            if ((first & 0x80) != 0)
            {
                // Indexed field (section 6.1).
                if (!TryReadInteger(block, ref position, 7, out var index) || !TryLookup(index, out var entry)) return HpackStatus.Invalid;
                (name, value) = (entry.Name, entry.Value);
            }
            else if ((first & 0xE0) == 0x20)
            {
                // Dynamic table size update (section 6.3): only before the block's first field, never above the setting.
                if (fieldSeen || !TryReadInteger(block, ref position, 5, out var size) || size > MaxTableSize) return HpackStatus.Invalid;
                _table.SetMaxSize(size);
                continue;
            }
            else
            {
                // Literal with incremental indexing (6.2.1, prefix 6), without indexing (6.2.2) or never indexed (6.2.3): prefix 4.
                var indexing = (first & 0xC0) == 0x40;
                if (!TryReadInteger(block, ref position, indexing ? 6 : 4, out var index)) return HpackStatus.Invalid;
                if (index == 0)
                {
                    if (!TryReadString(block, ref position, out var raw)) return HpackStatus.Invalid;
                    name = NameOf(raw);
                }
                else
                {
                    if (!TryLookup(index, out var entry)) return HpackStatus.Invalid;
                    name = entry.Name;
                }

                if (!TryReadString(block, ref position, out var rawValue)) return HpackStatus.Invalid;
                value = rawValue.Length == 0 ? "" : Encoding.Latin1.GetString(rawValue);
                if (indexing) _table.Insert(new HpackEntry(name, value));
            }

            fieldSeen = true;
            listSize += name.Length + value.Length + 32;
            if (listSize > MaxHeaderListSize)
            {
                if (listSize / 4 > MaxHeaderListSize) return HpackStatus.Excessive;
                continue;
            }

            sink.OnHeader(name, value);
        }

        return listSize > MaxHeaderListSize ? HpackStatus.TooLarge : HpackStatus.Done;
    }

    private bool TryLookup(int index, out HpackEntry entry)
    {
        entry = default;
        if (index <= 0) return false;
        if (index <= HpackStaticTable.Count)
        {
            entry = HpackStaticTable.Get(index);
            return true;
        }

        var dynamic = index - HpackStaticTable.Count - 1;
        if (dynamic >= _table.Count) return false;
        entry = _table[dynamic];
        return true;
    }

    /// <summary>An integer with an N-bit prefix (section 5.1); false when it runs past the block or past 2^28.</summary>
    public static bool TryReadInteger(ReadOnlySpan<byte> block, ref int position, int prefixBits, out int value)
    {
        value = 0;
        if (position >= block.Length) return false;
        var mask = (1 << prefixBits) - 1;
        value = block[position++] & mask;
        if (value < mask) return true;
        for (var shift = 0; ; shift += 7)
        {
            if (position >= block.Length || shift > 21) return false;
            var b = block[position++];
            value += (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return true;
        }
    }

    // A string literal (section 5.2); a Huffman one is decoded into the scratch buffer, which the span then points into.
    private bool TryReadString(ReadOnlySpan<byte> block, ref int position, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (position >= block.Length) return false;
        var huffman = (block[position] & 0x80) != 0;
        if (!TryReadInteger(block, ref position, 7, out var length) || length > block.Length - position) return false;
        var raw = block.Slice(position, length);
        position += length;
        if (!huffman)
        {
            text = raw;
            return true;
        }

        // The shortest code is 5 bits, so a Huffman string decodes to at most 8/5 of its length.
        var most = length * 8 / 5 + 1;
        if (_scratch.Length < most) _scratch = new byte[Math.Max(most, _scratch.Length * 2)];
        var written = HpackHuffman.Decode(raw, _scratch);
        if (written < 0) return false;
        text = _scratch.AsSpan(0, written);
        return true;
    }

    private string NameOf(ReadOnlySpan<byte> raw)
    {
        if (!Http2HeaderNames.IsValid(raw)) SawInvalidName = true;
        return Http2HeaderNames.Intern(raw);
    }
}
