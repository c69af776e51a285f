using Fulcrum.L7.FrontEnd.Http2;

namespace Fulcrum.Fuzz.Targets;

/// <summary>
/// The HPACK decoder of Fulcrum's own HTTP/2 front end (RFC 7541) and its Huffman code. Input: byte 0 picks the
/// dynamic table's size (its low bit: 256 or 4096 bytes), the rest is split at 0xFF 0xFE into header blocks decoded in
/// turn on one connection's decoder, so later blocks index what earlier ones inserted. Invariants: the fields that
/// reach the sink stay within the header list limit, the table within its size, and any bytes Huffman-encoded decode
/// back to themselves.
/// </summary>
internal sealed class HpackTarget : IFuzzTarget
{
    private const int ListLimit = 4096;

    public string Name => "hpack";

    public string Parser => "HpackDecoder, HpackHuffman (HTTP/2 header blocks)";

    private sealed class Sink : IHpackSink
    {
        public int Size;

        public void OnHeader(string name, string value) => Size += name.Length + value.Length + 32;
    }

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 1) return;
        var tableSize = (input[0] & 1) == 0 ? 256 : 4096;
        var decoder = new HpackDecoder(tableSize, ListLimit);
        var rest = input[1..];
        while (true)
        {
            var split = rest.IndexOf([(byte)0xFF, (byte)0xFE]);
            var block = split < 0 ? rest : rest[..split];
            var sink = new Sink();
            var status = decoder.Decode(block, sink);
            if (sink.Size > ListLimit) throw new FuzzInvariantException($"{sink.Size} bytes of fields reached the sink past the limit of {ListLimit}");
            if (decoder.Table.Size > decoder.Table.MaxSize) throw new FuzzInvariantException("the dynamic table outgrew its size");
            if (status is HpackStatus.Invalid or HpackStatus.Excessive) break;
            if (split < 0) break;
            rest = rest[(split + 2)..];
        }

        var encoded = new byte[HpackHuffman.EncodedLength(input)];
        HpackHuffman.Encode(input, encoded);
        var decoded = new byte[input.Length + 8];
        var length = HpackHuffman.Decode(encoded, decoded);
        if (length != input.Length || !decoded.AsSpan(0, length).SequenceEqual(input)) throw new FuzzInvariantException("Huffman did not round-trip");
    }
}
