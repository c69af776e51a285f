namespace Fulcrum.L4;

/// <summary>
/// Lets a repeated warning through at most once per interval, so a dead pool under load logs a line a
/// second instead of one per connection (a log flood would be a second outage).
/// </summary>
internal sealed class LogThrottle
{
    private readonly TimeProvider _time;
    private readonly long _interval;
    private long _nextAllowed = long.MinValue;

    public LogThrottle(TimeProvider time, TimeSpan? interval = null)
    {
        _time = time;
        _interval = (long)((interval ?? TimeSpan.FromSeconds(1)).TotalSeconds * time.TimestampFrequency);
    }

    public bool Allow()
    {
        var now = _time.GetTimestamp();
        var next = Volatile.Read(ref _nextAllowed);
        return now >= next && Interlocked.CompareExchange(ref _nextAllowed, now + _interval, next) == next;
    }
}
