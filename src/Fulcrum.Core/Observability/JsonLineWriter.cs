using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fulcrum.Core.Observability;

/// <summary>
/// Writes one flat JSON object (RFC 8259) into a span the caller sized for the worst case, for access log
/// lines: property names are UTF-8 literals, strings are escaped only where JSON requires it (quote,
/// backslash, control characters) and otherwise copied as UTF-8. Several times cheaper per line than
/// <see cref="System.Text.Json.Utf8JsonWriter"/>, which validates structure and escapes all non-ASCII, and
/// the writer thread shares its CPU with the requests.
/// </summary>
internal ref struct JsonLineWriter
{
    /// <summary>The most one string value may take: every UTF-16 char as a six-byte \u00XX escape, plus quotes.</summary>
    public static int MaxBytes(string? value) => value is null ? 4 : value.Length * 6 + 2;

    /// <summary>Room for a property name and the punctuation around it, or for any non-string value.</summary>
    public const int MaxFixedBytes = 64;

    private static readonly SearchValues<char> NeedsEscape = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    private readonly Span<byte> _buffer;
    private int _at;

    public JsonLineWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _buffer[0] = (byte)'{';
        _at = 1;
    }

    public void String(ReadOnlySpan<byte> name, string? value)
    {
        Name(name);
        if (value is null) WriteNull();
        else _at += WriteQuoted(value, _buffer[_at..]);
    }

    /// <summary>A string that comes back line after line, its JSON text from <paramref name="names"/>.</summary>
    public void String(ReadOnlySpan<byte> name, string? value, QuotedNames names)
    {
        Name(name);
        if (value is null)
        {
            WriteNull();
            return;
        }

        var text = names.Get(value);
        text.CopyTo(_buffer[_at..]);
        _at += text.Length;
    }

    public void Null(ReadOnlySpan<byte> name)
    {
        Name(name);
        WriteNull();
    }

    public void Number(ReadOnlySpan<byte> name, long value)
    {
        Name(name);
        if (value < 0)
        {
            _buffer[_at++] = (byte)'-';
            _at += Digits((ulong)-(value + 1) + 1, _buffer[_at..]);
        }
        else
        {
            _at += Digits((ulong)value, _buffer[_at..]);
        }
    }

    public void Boolean(ReadOnlySpan<byte> name, bool value)
    {
        Name(name);
        var literal = value ? "true"u8 : "false"u8;
        literal.CopyTo(_buffer[_at..]);
        _at += literal.Length;
    }

    /// <summary>Milliseconds rounded to the microsecond (at most three decimals, trailing zeros dropped); null when negative.</summary>
    public void Milliseconds(ReadOnlySpan<byte> name, double ms)
    {
        Name(name);
        if (ms < 0 || double.IsNaN(ms))
        {
            WriteNull();
            return;
        }

        var micros = (ulong)Math.Round(ms * 1000);
        _at += Digits(micros / 1000, _buffer[_at..]);
        var fraction = (int)(micros % 1000);
        if (fraction == 0) return;
        _buffer[_at++] = (byte)'.';
        _buffer[_at++] = (byte)('0' + fraction / 100);
        if (fraction % 100 == 0) return;
        _buffer[_at++] = (byte)('0' + fraction / 10 % 10);
        if (fraction % 10 == 0) return;
        _buffer[_at++] = (byte)('0' + fraction % 10);
    }

    /// <summary>ISO 8601 with seven fractional digits and the offset ("O"), the same as a template's {time}.</summary>
    public void Time(ReadOnlySpan<byte> name, DateTimeOffset time, TimeText text)
    {
        Name(name);
        _buffer[_at++] = (byte)'"';
        _at += text.Write(time, _buffer[_at..]);
        _buffer[_at++] = (byte)'"';
    }

    /// <summary>"address:port", "[v6 address]:port"; an IPv4-mapped IPv6 address is written as IPv4.</summary>
    public void Endpoint(ReadOnlySpan<byte> name, IPAddress address, int port)
    {
        Name(name);
        _buffer[_at++] = (byte)'"';
        _at += AppendEndpoint(_buffer[_at..], address, port);
        _buffer[_at++] = (byte)'"';
    }

    /// <summary>Closes the object and returns the bytes written.</summary>
    public int End()
    {
        _buffer[_at++] = (byte)'}';
        return _at;
    }

    /// <summary>Writes an endpoint as <see cref="Endpoint"/> does, without quotes; returns the bytes written (at most 56).</summary>
    public static int AppendEndpoint(Span<byte> to, IPAddress address, int port)
    {
        var at = 0;
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6)
        {
            to[at++] = (byte)'[';
            address.TryFormat(to[at..], out var n);
            at += n;
            to[at++] = (byte)']';
        }
        else
        {
            // IPv4, or IPv4-mapped IPv6 written as IPv4: four numbers, the last four of the mapped form's bytes.
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out var length);
            for (var i = length - 4; i < length; i++)
            {
                if (i > length - 4) to[at++] = (byte)'.';
                at += Digits(bytes[i], to[at..]);
            }
        }

        to[at++] = (byte)':';
        return at + Digits((ulong)port, to[at..]);
    }

    /// <summary>A non-negative integer in decimal; returns the bytes written (at most 20).</summary>
    private static int Digits(ulong value, Span<byte> to)
    {
        var count = 1;
        for (var rest = value / 10; rest != 0; rest /= 10) count++;
        for (var i = count - 1; i >= 0; i--)
        {
            to[i] = (byte)('0' + value % 10);
            value /= 10;
        }

        return count;
    }

    private void Name(ReadOnlySpan<byte> name)
    {
        if (_at > 1) _buffer[_at++] = (byte)',';
        _buffer[_at++] = (byte)'"';
        name.CopyTo(_buffer[_at..]);
        _at += name.Length;
        _buffer[_at++] = (byte)'"';
        _buffer[_at++] = (byte)':';
    }

    private void WriteNull()
    {
        "null"u8.CopyTo(_buffer[_at..]);
        _at += 4;
    }

    /// <summary>The string as a JSON string, quotes included, into <paramref name="to"/> (room for <see cref="MaxBytes"/>); returns its length.</summary>
    public static int WriteQuoted(string value, Span<byte> to)
    {
        var at = 0;
        to[at++] = (byte)'"';
        var rest = value.AsSpan();
        while (true)
        {
            var stop = rest.IndexOfAny(NeedsEscape);
            var run = stop < 0 ? rest : rest[..stop];
            // The escaped characters are all ASCII, so a run never splits a surrogate pair.
            at += Encoding.UTF8.GetBytes(run, to[at..]);
            if (stop < 0) break;
            at += Escape(rest[stop], to[at..]);
            rest = rest[(stop + 1)..];
        }

        to[at++] = (byte)'"';
        return at;
    }

    private static int Escape(char c, Span<byte> to)
    {
        to[0] = (byte)'\\';
        switch (c)
        {
            case '"': to[1] = (byte)'"'; return 2;
            case '\\': to[1] = (byte)'\\'; return 2;
            case '\n': to[1] = (byte)'n'; return 2;
            case '\r': to[1] = (byte)'r'; return 2;
            case '\t': to[1] = (byte)'t'; return 2;
            default:
                "u00"u8.CopyTo(to[1..]);
                to[4] = (byte)"0123456789abcdef"[c >> 4];
                to[5] = (byte)"0123456789abcdef"[c & 0xF];
                return 6;
        }
    }
}
