using System.Globalization;

namespace Fulcrum.L7.Caching;

/// <summary>
/// HTTP dates (RFC 9110 section 5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must
/// still read. An unreadable date is null; for Expires that means "already expired" (RFC 9111 section 5.3).
/// </summary>
internal static class HttpDate
{
    private static readonly string[] Formats =
    [
        "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", // IMF-fixdate
        "dddd, dd-MMM-yy HH':'mm':'ss 'GMT'",  // RFC 850
        "ddd MMM d HH':'mm':'ss yyyy",         // asctime
        "ddd MMM  d HH':'mm':'ss yyyy",
    ];

    // RFC 9110 section 5.6.7: a two-digit year more than 50 years in the future is the past century's.
    private static readonly CultureInfo Culture = TwoDigitYears();

    public static DateTimeOffset? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return DateTimeOffset.TryParseExact(text.Trim(), Formats, Culture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date) ? date : null;
    }

    private static CultureInfo TwoDigitYears()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.DateTimeFormat.Calendar.TwoDigitYearMax = DateTime.UtcNow.Year + 49;
        return culture;
    }

    public static string Format(DateTimeOffset date) => date.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);
}
