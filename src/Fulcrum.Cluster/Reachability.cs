namespace Fulcrum.Cluster;

/// <summary>
/// Whether Redis answers, since when, and how many outages there were. Any exchange that fails marks it down at once;
/// only a heartbeat that caught up marks it up again, so "reachable" always means "this instance is in step".
/// </summary>
internal sealed class Reachability(TimeProvider time)
{
    private readonly object _gate = new();
    private volatile bool _reachable;
    private long _outages;
    private DateTimeOffset _since = time.GetUtcNow();

    public bool Reachable => _reachable;
    public long Outages => Interlocked.Read(ref _outages);

    public DateTimeOffset Since
    {
        get
        {
            lock (_gate) return _since;
        }
    }

    /// <summary>True when this call ended an outage (or the wait at start).</summary>
    public bool MarkUp()
    {
        lock (_gate)
        {
            if (_reachable) return false;
            _reachable = true;
            _since = time.GetUtcNow();
            return true;
        }
    }

    /// <summary>True when this call began an outage.</summary>
    public bool MarkDown()
    {
        lock (_gate)
        {
            if (!_reachable) return false;
            _reachable = false;
            _since = time.GetUtcNow();
            Interlocked.Increment(ref _outages);
            return true;
        }
    }
}
