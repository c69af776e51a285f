using System.Text;
using Fulcrum.L7.Uring;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// Writes an HTTP/1.1 request head (RFC 9112 sections 3 and 5) into one pooled buffer, so the head (and a small
/// body appended after it) leaves in a single send. Text is written as Latin-1, as HttpClient does; a CR, LF or
/// NUL inside a value (which Kestrel never lets in, but a transform could) becomes a space, so no header can be
/// smuggled into the backend's stream.
/// </summary>
internal struct RequestHead
{
    private static ReadOnlySpan<byte> Version => " HTTP/1.1\r\n"u8;
    private static ReadOnlySpan<byte> Separator => ": "u8;
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;
    private static ReadOnlySpan<byte> ChunkedLine => "Transfer-Encoding: chunked\r\n"u8;

    public byte[] Buffer;
    public int Length;

    public static RequestHead Rent(int size) => new() { Buffer = LoopBuffers.Rent(size) };

    public void Return()
    {
        if (Buffer is { Length: > 0 }) LoopBuffers.Return(Buffer);
        Buffer = [];
        Length = 0;
    }

    /// <summary>The request line and headers, ending with the empty line; <paramref name="upgrade"/> asks to switch protocols.</summary>
    public void WriteHead(string method, string path, string? query, OutgoingHeaders headers, bool chunked, string authority, string? upgrade = null)
    {
        WriteRequestLine(method, path, query);
        var hasHost = false;
        foreach (var (name, values) in headers.Items)
        {
            if (!hasHost && name.Length == 4 && name.Equals(HeaderNames.Host, StringComparison.OrdinalIgnoreCase)) hasHost = true;
            WriteField(name, values);
        }

        End(hasHost, chunked, authority, upgrade);
    }

    /// <summary>
    /// The request line, the client's header lines as bytes (<see cref="IRequestFieldBytes"/>), the filters' edits,
    /// the empty line: what the other overload writes for the same request, without a string per header.
    /// </summary>
    public void WriteHead(string method, string path, string? query, IRequestFieldBytes fields, bool chunked, string authority, string? upgrade = null)
    {
        WriteRequestLine(method, path, query);
        Ensure(fields.FieldsLength);
        Length += fields.WriteFields(Buffer.AsSpan(Length), out var hasHost);
        foreach (var (name, values) in fields.Edits.Items)
        {
            // An edit to a hop-by-hop name is dropped as OutgoingHeaders drops the dictionary's.
            if (values.Count == 0 || name.Length == 0 || name[0] == ':' || HeaderNames.IsHopByHop(name)) continue;
            if (!hasHost && name.Length == 4 && name.Equals(HeaderNames.Host, StringComparison.OrdinalIgnoreCase)) hasHost = true;
            WriteField(name, values);
        }

        End(hasHost, chunked, authority, upgrade);
    }

    private void WriteRequestLine(string method, string path, string? query)
    {
        WriteText(method);
        WriteByte((byte)' ');
        if (path.Length == 0) WriteByte((byte)'/');
        else WriteText(path);
        if (!string.IsNullOrEmpty(query)) WriteText(query);
        WriteBytes(Version);
    }

    private void WriteField(string name, StringValues values)
    {
        if (values.Count == 1)
        {
            WriteHeader(name, values[0] ?? "");
        }
        else if (values.Count > 1)
        {
            // HTTP/2 clients may split Cookie into several fields; HTTP/1.1 wants them joined by "; "
            // (RFC 9113 section 8.2.3). Other repeated fields may go as repeated lines (RFC 9110 section 5.3).
            if (name.Equals(HeaderNames.Cookie, StringComparison.OrdinalIgnoreCase)) WriteHeader(name, string.Join("; ", values.ToArray()));
            else
            {
                foreach (var value in values) WriteHeader(name, value ?? "");
            }
        }
    }

    private void End(bool hasHost, bool chunked, string authority, string? upgrade)
    {
        // HTTP/1.1 requires Host (RFC 9112 section 3.2); a client may not have sent one (HTTP/1.0).
        if (!hasHost) WriteHeader(HeaderNames.Host, authority);
        if (chunked) WriteBytes(ChunkedLine);
        if (upgrade is not null)
        {
            // Upgrade is hop-by-hop (RFC 9110 section 7.8): the client's was dropped with the others and is asked anew.
            WriteBytes("Connection: upgrade\r\n"u8);
            WriteHeader("Upgrade", upgrade);
        }

        WriteBytes(Crlf);
    }

    /// <summary>Room for <paramref name="count"/> more bytes at <see cref="Length"/>.</summary>
    public Memory<byte> Reserve(int count)
    {
        Ensure(count);
        return Buffer.AsMemory(Length, count);
    }

    private void WriteHeader(string name, string value)
    {
        WriteText(name);
        WriteBytes(Separator);
        WriteText(value);
        WriteBytes(Crlf);
    }

    private void WriteText(string text)
    {
        Ensure(text.Length);
        var written = Encoding.Latin1.GetBytes(text, Buffer.AsSpan(Length));
        var span = Buffer.AsSpan(Length, written);
        // Vectorized scan; the replace loop runs only for a value that carries a line break.
        if (span.IndexOfAny((byte)'\r', (byte)'\n', (byte)0) >= 0)
        {
            for (var i = 0; i < span.Length; i++)
            {
                if (span[i] is (byte)'\r' or (byte)'\n' or 0) span[i] = (byte)' ';
            }
        }

        Length += written;
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(Buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    private void WriteByte(byte value)
    {
        Ensure(1);
        Buffer[Length++] = value;
    }

    private void Ensure(int count)
    {
        if (Buffer.Length - Length >= count) return;
        var bigger = LoopBuffers.Rent(Math.Max(Buffer.Length * 2, Length + count));
        Buffer.AsSpan(0, Length).CopyTo(bigger);
        if (Buffer.Length > 0) LoopBuffers.Return(Buffer);
        Buffer = bigger;
    }
}
