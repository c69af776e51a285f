using System.Globalization;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// Sizes as written in the config: a whole number and a unit. IEC units are powers of two (KiB = 1024 bytes,
/// MiB, GiB, TiB); SI units are powers of ten (KB = 1000 bytes, MB, GB, TB), as IEC 80000-13 defines them.
/// `B` is bytes. Units are case-insensitive; a bare number is rejected so that `64` never silently means 64 bytes.
/// </summary>
public static class SizeParser
{
    public const string Hint = "a size like 512B, 64KiB, 1MiB or 1GiB";

    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var s = text.AsSpan().Trim();
        var digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits])) digits++;
        if (digits == 0) return false;
        if (!long.TryParse(s[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var number)) return false;

        var multiplier = Multiplier(s[digits..].Trim().ToString().ToLowerInvariant());
        if (multiplier == 0) return false;
        try
        {
            bytes = checked(number * multiplier);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static long Multiplier(string unit) => unit switch
    {
        "b" => 1,
        "kb" => 1000,
        "mb" => 1000 * 1000,
        "gb" => 1000 * 1000 * 1000,
        "tb" => 1000L * 1000 * 1000 * 1000,
        "kib" => 1L << 10,
        "mib" => 1L << 20,
        "gib" => 1L << 30,
        "tib" => 1L << 40,
        _ => 0,
    };
}
