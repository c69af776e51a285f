using System.Globalization;

namespace Fulcrum.L7.Grpc;

/// <summary>
/// The grpc-timeout request header (grpc/grpc doc/PROTOCOL-HTTP2.md): at most 8 ASCII digits and a unit, H hours,
/// M minutes, S seconds, m milliseconds, u microseconds, n nanoseconds. How long the caller will wait for the call.
/// </summary>
internal static class GrpcTimeout
{
    public const string Header = "grpc-timeout";

    /// <summary>The longest deadline Fulcrum arms (30 days); a longer grpc-timeout is taken as this.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(30);

    /// <summary>The timeout <paramref name="value"/> says, or false when it is not one (the header is then ignored).</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out TimeSpan timeout)
    {
        timeout = default;
        value = value.Trim();
        if (value.Length is < 2 or > 9) return false;
        var digits = value[..^1];
        foreach (var ch in digits)
        {
            if (!char.IsAsciiDigit(ch)) return false;
        }

        var amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        // 8 digits of hours (3.6e18 ticks) still fit a long.
        var ticks = value[^1] switch
        {
            'H' => amount * TimeSpan.TicksPerHour,
            'M' => amount * TimeSpan.TicksPerMinute,
            'S' => amount * TimeSpan.TicksPerSecond,
            'm' => amount * TimeSpan.TicksPerMillisecond,
            'u' => amount * TimeSpan.TicksPerMicrosecond,
            'n' => amount / 100,
            _ => -1,
        };
        if (ticks < 0) return false;
        // Timers take at most about 49 days; a call that may wait longer than Max is not bounded by Fulcrum.
        timeout = TimeSpan.FromTicks(Math.Min(ticks, Max.Ticks));
        return true;
    }
}
