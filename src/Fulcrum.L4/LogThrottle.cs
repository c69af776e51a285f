namespace Fulcrum.L4;

/// <summary>
/// Lets a repeated warning through at most once per interval, so a dead pool under load logs a line a
/// second instead of one per connection (a log flood would be a second outage).
/// </summary>
internal static class LogThrottle
{
    public static bool Allow(ref long lastTick, long intervalMs = 1000)
    {
        var now = Environment.TickCount64;
        var last = Volatile.Read(ref lastTick);
        return now - last >= intervalMs && Interlocked.CompareExchange(ref lastTick, now, last) == last;
    }
}
