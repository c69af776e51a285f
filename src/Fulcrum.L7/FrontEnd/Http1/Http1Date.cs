namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>The Date header's value (RFC 9110 section 6.6.1, IMF-fixdate), formatted once a second, not per response.</summary>
internal static class Http1Date
{
    private static string _value = "";
    private static long _second = -1;

    public static string Now(TimeProvider time)
    {
        var now = time.GetUtcNow();
        var second = now.ToUnixTimeSeconds();
        if (second == Volatile.Read(ref _second)) return _value;
        var value = now.ToString("r", System.Globalization.CultureInfo.InvariantCulture);
        _value = value;
        Volatile.Write(ref _second, second);
        return value;
    }
}
