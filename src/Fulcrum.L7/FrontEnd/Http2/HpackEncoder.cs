using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// Encodes response header blocks (RFC 7541) without a dynamic table: `:status` and any name the static table has by
/// index, every value as a literal without indexing, plain (not Huffman). That costs a few bytes on the wire against
/// an indexing encoder, and no table lookups, eviction or Huffman work per response. The first block says so with a
/// dynamic table size update to 0 (section 6.3), so the peer's table size setting never matters after it.
/// Connection-specific fields are left out (RFC 9113 section 8.2.2) and names are lowercased (section 8.2.1).
/// </summary>
internal sealed class HpackEncoder
{
    private static readonly SearchValues<char> NotFieldValue = SearchValues.Create("\0\r\n");
    private bool _sizeUpdateDue = true;

    /// <summary>A response head: `:status`, the headers, and a `date` when one is given (the headers had none).</summary>
    public void EncodeResponse(IBufferWriter<byte> output, int status, HeaderDictionary headers, string? date = null)
    {
        StartBlock(output);
        WriteStatus(output, status);
        foreach (var (name, values) in headers) WriteField(output, name, values);
        if (date is not null) WriteField(output, "Date", date);
    }

    /// <summary>A trailer block (RFC 9113 section 8.1): fields only, no pseudo-header.</summary>
    public void EncodeFields(IBufferWriter<byte> output, HeaderDictionary fields)
    {
        StartBlock(output);
        foreach (var (name, values) in fields) WriteField(output, name, values);
    }

    private void StartBlock(IBufferWriter<byte> output)
    {
        if (!_sizeUpdateDue) return;
        _sizeUpdateDue = false;
        var span = output.GetSpan(1);
        span[0] = 0x20; // dynamic table size update to 0
        output.Advance(1);
    }

    private static void WriteStatus(IBufferWriter<byte> output, int status)
    {
        var index = status switch { 200 => 8, 204 => 9, 206 => 10, 304 => 11, 400 => 12, 404 => 13, 500 => 14, _ => 0 };
        var span = output.GetSpan(5);
        if (index > 0)
        {
            span[0] = (byte)(0x80 | index);
            output.Advance(1);
            return;
        }

        // Literal without indexing, name :status by index 8 (0000 1000), a three-digit value.
        span[0] = 0x08;
        span[1] = 3;
        span[2] = (byte)('0' + status / 100 % 10);
        span[3] = (byte)('0' + status / 10 % 10);
        span[4] = (byte)('0' + status % 10);
        output.Advance(5);
    }

    private static void WriteField(IBufferWriter<byte> output, string name, StringValues values)
    {
        if (ConnectionSpecificFields.Contains(name)) return;
        if (name.Length == 0 || name.AsSpan().IndexOfAnyExceptInRange('!', '~') >= 0) throw new InvalidOperationException($"invalid response header name '{name}'");
        var index = HpackStaticTable.IndexOfName(name);
        foreach (var value in values)
        {
            if (value is null) continue;
            if (value.AsSpan().IndexOfAny(NotFieldValue) >= 0 || value.AsSpan().IndexOfAnyExceptInRange('\0', '\u00ff') >= 0)
            {
                throw new InvalidOperationException($"invalid character in the value of response header '{name}'");
            }

            if (index > 0)
            {
                WriteInteger(output, 0x00, 4, index);
            }
            else
            {
                WriteInteger(output, 0x00, 4, 0);
                WriteInteger(output, 0x00, 7, name.Length);
                var span = output.GetSpan(name.Length);
                for (var i = 0; i < name.Length; i++)
                {
                    var c = name[i];
                    span[i] = (byte)(c is >= 'A' and <= 'Z' ? c + 32 : c);
                }

                output.Advance(name.Length);
            }

            WriteInteger(output, 0x00, 7, value.Length);
            output.Advance(Encoding.Latin1.GetBytes(value, output.GetSpan(value.Length)));
        }
    }

    /// <summary>An integer with an N-bit prefix (RFC 7541 section 5.1), <paramref name="flags"/> in the first byte's high bits.</summary>
    public static void WriteInteger(IBufferWriter<byte> output, byte flags, int prefixBits, int value)
    {
        var span = output.GetSpan(6);
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            span[0] = (byte)(flags | value);
            output.Advance(1);
            return;
        }

        span[0] = (byte)(flags | max);
        var written = 1;
        value -= max;
        while (value >= 0x80)
        {
            span[written++] = (byte)(value & 0x7F | 0x80);
            value >>= 7;
        }

        span[written++] = (byte)value;
        output.Advance(written);
    }
}
