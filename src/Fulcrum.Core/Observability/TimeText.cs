using System.Buffers;
using System.Buffers.Text;

namespace Fulcrum.Core.Observability;

/// <summary>
/// ISO 8601 round-trip text ("O": 2026-12-02T19:38:01.1234567+00:00) of access log times. Lines come
/// thousands a second, so the date, time of day and offset are formatted once a second and only the
/// seven fractional digits per line. One writer thread uses it.
/// </summary>
internal sealed class TimeText
{
    /// <summary>The longest text: 33 bytes for a time with an offset.</summary>
    public const int MaxBytes = 33;
    private const int PrefixLength = 20; // "yyyy-MM-ddTHH:mm:ss."
    private readonly byte[] _text = new byte[MaxBytes];
    private long _second = long.MinValue;
    private TimeSpan _offset;
    private int _length;

    /// <summary>Writes the time's text into <paramref name="to"/> and returns its length.</summary>
    public int Write(DateTimeOffset time, Span<byte> to)
    {
        var ticks = time.Ticks;
        var second = ticks / TimeSpan.TicksPerSecond;
        if (second != _second || time.Offset != _offset)
        {
            Utf8Formatter.TryFormat(time, _text, out _length, new StandardFormat('O'));
            _second = second;
            _offset = time.Offset;
        }

        _text.AsSpan(0, _length).CopyTo(to);
        var fraction = ticks - second * TimeSpan.TicksPerSecond;
        for (var i = PrefixLength + 6; i >= PrefixLength; i--)
        {
            to[i] = (byte)('0' + fraction % 10);
            fraction /= 10;
        }

        return _length;
    }
}
