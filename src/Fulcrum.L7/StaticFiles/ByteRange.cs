using System.Globalization;

namespace Fulcrum.L7.StaticFiles;

/// <summary>
/// One `Range: bytes=...` over a file of a known length (RFC 9110 section 14.1.2): `a-b`, `a-` or the last `-n`
/// bytes. Several ranges in one header are answered with the whole file (section 14.2 lets a server ignore Range),
/// which spares a multipart body that clients rarely ask for and that attackers do (many small overlapping ranges).
/// </summary>
internal readonly record struct ByteRange(long Start, long Length)
{
    /// <summary>What a Range header asks of a file of <paramref name="size"/> bytes.</summary>
    public static RangeRequest Parse(string? header, long size, out ByteRange range)
    {
        range = default;
        if (string.IsNullOrEmpty(header)) return RangeRequest.None;
        var text = header.AsSpan().Trim(" \t");
        if (!text.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase)) return RangeRequest.None; // another unit: ignored
        text = text[6..].Trim(" \t");
        if (text.IndexOf(',') >= 0) return RangeRequest.None;
        var dash = text.IndexOf('-');
        if (dash < 0) return RangeRequest.None; // broken: ignored, the whole file is sent
        var first = text[..dash].Trim(" \t");
        var last = text[(dash + 1)..].Trim(" \t");
        if (first.IsEmpty)
        {
            // The last n bytes; `-0` asks for none, which no file can satisfy.
            if (!Number(last, out var suffix)) return RangeRequest.None;
            if (suffix == 0 || size == 0) return RangeRequest.Unsatisfiable;
            var length = Math.Min(suffix, size);
            range = new ByteRange(size - length, length);
            return RangeRequest.One;
        }

        if (!Number(first, out var start)) return RangeRequest.None;
        long end;
        if (last.IsEmpty) end = size - 1;
        else if (!Number(last, out end) || end < start) return RangeRequest.None;
        if (start >= size) return RangeRequest.Unsatisfiable;
        end = Math.Min(end, size - 1);
        range = new ByteRange(start, end - start + 1);
        return RangeRequest.One;
    }

    public string ContentRange(long size) => string.Create(CultureInfo.InvariantCulture, $"bytes {Start}-{Start + Length - 1}/{size}");

    private static bool Number(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
