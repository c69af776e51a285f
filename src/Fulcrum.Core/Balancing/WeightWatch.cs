using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// Tells a table-based balancer (consistent-hash, maglev) when the effective weights of its set no
/// longer match the weights its table was built from. Checking costs a pass over the set, so it runs
/// at most once per interval and on one thread at a time; a pick in between only reads a timestamp.
/// Slow start and runtime weight changes thus reach the table within one interval plus one build.
/// Building a table takes milliseconds (tens of them for 300 backends), too long for a request to
/// wait, so the balancer builds on the thread pool and keeps serving from the old table meanwhile;
/// while one build is pending no other is started.
/// </summary>
internal sealed class WeightWatch
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    private readonly Backend[] _backends;
    private readonly TimeProvider _time;
    private readonly long _interval;
    private long _nextCheck;
    private int _checking;
    private volatile bool _building;

    public WeightWatch(Backend[] backends, TimeProvider time, TimeSpan interval)
    {
        _backends = backends;
        _time = time;
        _interval = (long)(interval.TotalSeconds * time.TimestampFrequency);
        _nextCheck = time.GetTimestamp() + _interval;
    }

    /// <summary>The effective weights now, negative ones as 0.</summary>
    public static int[] Snapshot(Backend[] backends)
    {
        var weights = new int[backends.Length];
        for (var i = 0; i < backends.Length; i++) weights[i] = Math.Max(0, backends[i].EffectiveWeight);
        return weights;
    }

    /// <summary>
    /// True (for one caller) when a check is due, no build is pending and some weight differs from
    /// <paramref name="built"/>. The caller must then build and call <see cref="Built"/>.
    /// </summary>
    public bool IsStale(int[] built)
    {
        var now = _time.GetTimestamp();
        if (now < Volatile.Read(ref _nextCheck) || _building) return false;
        if (Interlocked.CompareExchange(ref _checking, 1, 0) != 0) return false;
        try
        {
            Volatile.Write(ref _nextCheck, now + _interval);
            for (var i = 0; i < _backends.Length; i++)
            {
                if (Math.Max(0, _backends[i].EffectiveWeight) != built[i])
                {
                    _building = true;
                    return true;
                }
            }

            return false;
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    /// <summary>The table asked for by <see cref="IsStale"/> is published; checks may start builds again.</summary>
    public void Built() => _building = false;
}
