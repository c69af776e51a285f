using System.Globalization;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// Durations as written in the config: one or more number-unit pairs such as `500ms`, `10s`, `1.5s`, `5m`,
/// `1h30m`, `365d`, with units us, ms, s, m, h and d (the grammar of Go's time.ParseDuration, which users of
/// cloud-native tooling already know, plus days for long lifetimes such as HSTS max-age). A bare `0` is zero; any other number needs a unit.
/// </summary>
public static class DurationParser
{
    public const string Hint = "a duration like 500ms, 10s, 5m or 1h";

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.AsSpan().Trim();
        if (s.IsEmpty) return false;
        if (s is "0") return true;

        decimal totalTicks = 0;
        while (!s.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < s.Length && (char.IsAsciiDigit(s[numberLength]) || s[numberLength] == '.')) numberLength++;
            if (numberLength == 0) return false;
            if (!decimal.TryParse(s[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                return false;
            s = s[numberLength..];

            var unitLength = 0;
            while (unitLength < s.Length && char.IsAsciiLetter(s[unitLength])) unitLength++;
            var ticksPerUnit = TicksPerUnit(s[..unitLength]);
            if (ticksPerUnit == 0) return false;
            s = s[unitLength..];

            // Bounded before multiplying: decimal arithmetic throws past 7.9e28, which 28 digits and a 'd' reach (fuzzing).
            if (number > TimeSpan.MaxValue.Ticks / ticksPerUnit) return false;
            totalTicks += number * ticksPerUnit;
            if (totalTicks > TimeSpan.MaxValue.Ticks) return false;
        }

        value = TimeSpan.FromTicks((long)decimal.Round(totalTicks));
        return true;
    }

    /// <summary>The shortest config spelling of a duration, e.g. 30s, 1h30m, 250ms.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero) return "0";
        if (value.Ticks % TimeSpan.TicksPerMillisecond != 0) return $"{value.Ticks / 10}us";
        if (value.Ticks % TimeSpan.TicksPerSecond != 0) return $"{(long)value.TotalMilliseconds}ms";
        var parts = "";
        var h = (long)value.TotalHours;
        if (h > 0) parts += $"{h}h";
        if (value.Minutes > 0) parts += $"{value.Minutes}m";
        if (value.Seconds > 0) parts += $"{value.Seconds}s";
        return parts;
    }

    private static long TicksPerUnit(ReadOnlySpan<char> unit) => unit switch
    {
        "us" => 10,
        "ms" => TimeSpan.TicksPerMillisecond,
        "s" => TimeSpan.TicksPerSecond,
        "m" => TimeSpan.TicksPerMinute,
        "h" => TimeSpan.TicksPerHour,
        "d" => TimeSpan.TicksPerDay,
        _ => 0,
    };
}
