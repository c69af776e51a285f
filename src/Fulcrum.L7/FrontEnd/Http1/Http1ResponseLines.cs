using System.Buffers.Text;
using System.Text;
using Fulcrum.L7.BackendHttp;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>
/// Reads the response header lines <see cref="ResponseHead.WriteFields"/> wrote (each `Name: value` CRLF, valid
/// already, known names in their usual spelling): the declared length, and the dictionary those lines stand for.
/// </summary>
internal static class Http1ResponseLines
{
    /// <summary>
    /// The Content-Length among the lines, or null: none, or repeated (the dictionary's ContentLength reads one value
    /// only, so a repeated one is framed as unknown there too).
    /// </summary>
    public static long? ContentLength(ReadOnlySpan<byte> lines)
    {
        long? found = null;
        while (lines.Length > 0)
        {
            var end = lines.IndexOf("\r\n"u8);
            var line = lines[..end];
            lines = lines[(end + 2)..];
            if (line.Length < 16 || line[14] != (byte)':' || !Ascii.EqualsIgnoreCase(line[..14], "Content-Length"u8)) continue;
            if (found is not null || !Utf8Parser.TryParse(line[16..], out long length, out var digits) || digits != line.Length - 16) return null;
            found = length;
        }

        return found;
    }

    /// <summary>Adds the lines to <paramref name="headers"/> as ResponseHead.CopyTo does: interned known names, Latin-1 values, repeats joined.</summary>
    public static void CopyTo(ReadOnlySpan<byte> lines, IHeaderDictionary headers)
    {
        while (lines.Length > 0)
        {
            var end = lines.IndexOf("\r\n"u8);
            var line = lines[..end];
            lines = lines[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            var nameBytes = line[..colon];
            var known = HeaderNames.IndexOf(nameBytes);
            var name = known >= 0 ? HeaderNames.Known[known] : Encoding.Latin1.GetString(nameBytes);
            var value = Encoding.Latin1.GetString(line[(colon + 2)..]);
            if (headers.TryGetValue(name, out var existing)) headers[name] = StringValues.Concat(existing, value);
            else headers[name] = value;
        }
    }
}
