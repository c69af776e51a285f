namespace Fulcrum.TestSupport;

/// <summary>
/// A clock that moves only when a test says so, so latencies, decays and timers are exact.
/// Starts an hour in: BackendStats treats timestamp 0 as "never". Timers fire inside <see cref="Advance"/>,
/// on the test's thread, in due order.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly List<ManualTimer> _timers = [];
    private long _ticks = TimeSpan.FromHours(1).Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(Interlocked.Read(ref _ticks));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Timers not yet disposed (armed or not).</summary>
    public int TimerCount
    {
        get
        {
            lock (_timers) return _timers.Count;
        }
    }

    /// <summary>Moves the clock, firing each timer that falls due on the way at its due time.</summary>
    public void Advance(TimeSpan by)
    {
        var end = Interlocked.Read(ref _ticks) + by.Ticks;
        while (true)
        {
            ManualTimer? next = null;
            lock (_timers)
            {
                foreach (var t in _timers)
                {
                    if (t.DueAt is long due && due <= end && (next is null || due < next.DueAt)) next = t;
                }
            }

            if (next is null) break;
            Interlocked.Exchange(ref _ticks, Math.Max(Interlocked.Read(ref _ticks), next.DueAt!.Value));
            next.Fire();
        }

        Interlocked.Exchange(ref _ticks, end);
    }

    private sealed class ManualTimer : ITimer
    {
        private readonly ManualTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private long _period;

        public ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
            lock (owner._timers) owner._timers.Add(this);
        }

        public long? DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
            DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : _owner.GetTimestamp() + Math.Max(0, dueTime.Ticks);
            return true;
        }

        public void Fire()
        {
            DueAt = _period > 0 ? DueAt + _period : null;
            _callback(_state);
        }

        public void Dispose()
        {
            DueAt = null;
            lock (_owner._timers) _owner._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
