namespace Fulcrum.Core.Observability;

/// <summary>What the access log wrote and what it had to drop because its writer fell behind (a stalled disk).</summary>
public sealed class AccessLogCounters
{
    private long _written;
    private long _dropped;

    public long Written => Volatile.Read(ref _written);
    public long Dropped => Volatile.Read(ref _dropped);

    internal void CountWritten(long lines) => Interlocked.Add(ref _written, lines);
    internal void CountDropped() => Interlocked.Increment(ref _dropped);
}
