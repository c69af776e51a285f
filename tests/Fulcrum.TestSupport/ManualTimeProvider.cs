namespace Fulcrum.TestSupport;

/// <summary>
/// A clock that moves only when a test says so, so latencies, decays and timers are exact.
/// Starts an hour in: BackendStats treats timestamp 0 as "never". Timers fire inside <see cref="Advance"/>,
/// on the test's thread, in due order. Timers may be created, changed and disposed from any thread (a data
/// plane under test arms a connect timeout on a socket's thread while the test advances the clock), so their
/// state is kept under one lock; callbacks run outside it.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly object _lock = new();
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
            lock (_lock) return _timers.Count;
        }
    }

    /// <summary>Moves the clock, firing each timer that falls due on the way at its due time.</summary>
    public void Advance(TimeSpan by)
    {
        var end = Interlocked.Read(ref _ticks) + by.Ticks;
        while (true)
        {
            ManualTimer? next = null;
            long due = 0;
            lock (_lock)
            {
                foreach (var t in _timers)
                {
                    if (t.DueAt is long at && at <= end && (next is null || at < due))
                    {
                        next = t;
                        due = at;
                    }
                }

                if (next is null) break;
                Interlocked.Exchange(ref _ticks, Math.Max(Interlocked.Read(ref _ticks), due));
                next.Rearm();
            }

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
            lock (owner._lock) owner._timers.Add(this);
        }

        /// <summary>When it fires next; null when disarmed. Read and written under the owner's lock.</summary>
        public long? DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_owner._lock)
            {
                _period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : _owner.GetTimestamp() + Math.Max(0, dueTime.Ticks);
            }

            return true;
        }

        /// <summary>Sets the next due time before a firing (under the owner's lock).</summary>
        public void Rearm() => DueAt = _period > 0 ? DueAt + _period : null;

        public void Fire() => _callback(_state);

        public void Dispose()
        {
            lock (_owner._lock)
            {
                DueAt = null;
                _owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
