using System.Buffers;
using System.Buffers.Text;
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
        else Quoted(value);
    }

    public void Null(ReadOnlySpan<byte> name)
    {
        Name(name);
        WriteNull();
    }

    public void Number(ReadOnlySpan<byte> name, long value)
    {
        Name(name);
        Utf8Formatter.TryFormat(value, _buffer[_at..], out var n);
        _at += n;
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

        var micros = (long)Math.Round(ms * 1000);
        Utf8Formatter.TryFormat(micros / 1000, _buffer[_at..], out var n);
        _at += n;
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
    public void Time(ReadOnlySpan<byte> name, DateTimeOffset time)
    {
        Name(name);
        _buffer[_at++] = (byte)'"';
        Utf8Formatter.TryFormat(time, _buffer[_at..], out var n, new StandardFormat('O'));
        _at += n;
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
        if (address.IsIPv4MappedToIPv6)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            for (var i = 12; i < 16; i++)
            {
                if (i > 12) to[at++] = (byte)'.';
                Utf8Formatter.TryFormat(bytes[i], to[at..], out var d);
                at += d;
            }
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            to[at++] = (byte)'[';
            address.TryFormat(to[at..], out var n);
            at += n;
            to[at++] = (byte)']';
        }
        else
        {
            address.TryFormat(to, out var n);
            at += n;
        }

        to[at++] = (byte)':';
        Utf8Formatter.TryFormat(port, to[at..], out var p);
        return at + p;
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

    private void Quoted(string value)
    {
        _buffer[_at++] = (byte)'"';
        var rest = value.AsSpan();
        while (true)
        {
            var stop = rest.IndexOfAny(NeedsEscape);
            var run = stop < 0 ? rest : rest[..stop];
            // The escaped characters are all ASCII, so a run never splits a surrogate pair.
            _at += Encoding.UTF8.GetBytes(run, _buffer[_at..]);
            if (stop < 0) break;
            Escape(rest[stop]);
            rest = rest[(stop + 1)..];
        }

        _buffer[_at++] = (byte)'"';
    }

    private void Escape(char c)
    {
        _buffer[_at++] = (byte)'\\';
        switch (c)
        {
            case '"': _buffer[_at++] = (byte)'"'; break;
            case '\\': _buffer[_at++] = (byte)'\\'; break;
            case '\n': _buffer[_at++] = (byte)'n'; break;
            case '\r': _buffer[_at++] = (byte)'r'; break;
            case '\t': _buffer[_at++] = (byte)'t'; break;
            default:
                "u00"u8.CopyTo(_buffer[_at..]);
                _at += 3;
                _buffer[_at++] = (byte)"0123456789abcdef"[c >> 4];
                _buffer[_at++] = (byte)"0123456789abcdef"[c & 0xF];
                break;
        }
    }
}
