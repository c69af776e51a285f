using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Health;

/// <summary>
/// The health state machine of one backend. Active probes feed rise/fall counters (HAProxy's `rise`/`fall`);
/// passive observations of real traffic feed outlier detection (Envoy's consecutive-5xx and failure-percentage
/// rules), which ejects for a time that doubles on each repeat. The backend is down when either says so:
/// <c>Health = ActiveDown || Ejected ? Down : Up</c>. Operator intent lives on <see cref="Backend"/>, apart from this.
/// Transitions take a lock; the per-request path (<see cref="Observe"/>) only does Interlocked updates.
/// </summary>
public sealed class BackendHealth
{
    private readonly Backend _backend;
    private readonly object _gate = new();
    private int _passes;
    private int _fails;
    private volatile bool _activeDown;
    private int _consecutiveFailures;
    private long _ejectedUntil;      // TimeProvider timestamp; 0 when not ejected
    private int _ejections;          // ejections in a row, for the doubling
    private long _ejectionsTotal;    // every ejection ever, for the metrics
    private long _lastEjectionEnd;
    private ITimer? _ejectTimer;
    private long _windowStart;
    private int _windowRequests;
    private int _windowFailures;
    private volatile string? _lastProbe;
    private volatile string? _downReason;

    internal BackendHealth(Backend backend) => _backend = backend;

    /// <summary>Active checks reached `fall` failures and have not yet reached `rise` passes.</summary>
    public bool ActiveDown => _activeDown;
    /// <summary>Passive checks took the backend out until the ejection ends or an active check passes.</summary>
    public bool IsEjected => Volatile.Read(ref _ejectedUntil) != 0;
    /// <summary>Ejections in a row (each one doubles the next one's length, up to max-eject-for).</summary>
    public int Ejections => Volatile.Read(ref _ejections);
    /// <summary>Every passive-health ejection of this backend since it was created.</summary>
    public long EjectionsTotal => Volatile.Read(ref _ejectionsTotal);
    /// <summary>Failures of real traffic in a row.</summary>
    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);
    /// <summary>The last active probe's result, e.g. "passed: 200" or "failed: timeout"; null before the first.</summary>
    public string? LastProbe => _lastProbe;
    /// <summary>Why the backend is down, or null when it is up.</summary>
    public string? DownReason => _backend.Health == HealthStatus.Down ? _downReason : null;

    /// <summary>Time until the ejection ends; zero when not ejected.</summary>
    public TimeSpan EjectionLeft
    {
        get
        {
            var until = Volatile.Read(ref _ejectedUntil);
            if (until == 0) return TimeSpan.Zero;
            var time = _backend.Time;
            var left = time.GetElapsedTime(time.GetTimestamp(), until);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>One active probe result. A pass also ends a passive ejection.</summary>
    public void ReportProbe(bool passed, string detail)
    {
        var active = _backend.Owner?.Config.Health.Active ?? DefaultActive;
        _lastProbe = detail;
        string? reason = null;
        lock (_gate)
        {
            if (passed)
            {
                _fails = 0;
                if (_passes < int.MaxValue) _passes++;
                if (_activeDown && _passes >= active.Rise) _activeDown = false;
                if (IsEjected) EndEjectionLocked();
            }
            else
            {
                _passes = 0;
                if (_fails < int.MaxValue) _fails++;
                if (!_activeDown && _fails >= active.Fall)
                {
                    _activeDown = true;
                    reason = $"active check {detail} ({_fails} in a row)";
                }
            }
        }

        if (reason is not null) _downReason = reason;
        _backend.RefreshHealth();
    }

    /// <summary>Forgets active results, e.g. when a reload removes the pool's active checks.</summary>
    public void ResetActive()
    {
        lock (_gate)
        {
            _passes = 0;
            _fails = 0;
            _activeDown = false;
        }

        _backend.RefreshHealth();
    }

    /// <summary>The passive hook: called with every released lease.</summary>
    internal void Observe(Outcome outcome)
    {
        if (outcome == Outcome.ClientAbort) return;
        var passive = _backend.Owner?.Config.Health.Passive;
        if (passive is null || !passive.Enabled) return;

        var failed = outcome != Outcome.Success;
        if (failed)
        {
            var n = Interlocked.Increment(ref _consecutiveFailures);
            if (passive.ConsecutiveFailures > 0 && n >= passive.ConsecutiveFailures)
            {
                TryEject(passive, $"{n} failures in a row");
            }
        }
        else if (Volatile.Read(ref _consecutiveFailures) != 0)
        {
            Volatile.Write(ref _consecutiveFailures, 0);
        }

        if (passive.FailureRate is double rate) ObserveRate(passive, rate, failed);
    }

    // Failure percentage over a fixed window, evaluated as results arrive once the window holds
    // failure-rate-min-requests (Envoy's failure_percentage_threshold evaluates at each interval instead).
    private void ObserveRate(PassiveHealthConfig passive, double rate, bool failed)
    {
        var time = _backend.Time;
        var now = time.GetTimestamp();
        var start = Volatile.Read(ref _windowStart);
        if (start == 0 || time.GetElapsedTime(start, now) >= passive.FailureRateWindow)
        {
            if (Interlocked.CompareExchange(ref _windowStart, now, start) == start)
            {
                Volatile.Write(ref _windowRequests, 0);
                Volatile.Write(ref _windowFailures, 0);
            }
        }

        var requests = Interlocked.Increment(ref _windowRequests);
        var failures = failed ? Interlocked.Increment(ref _windowFailures) : Volatile.Read(ref _windowFailures);
        if (failed && requests >= passive.FailureRateMinRequests && failures >= rate * requests)
        {
            TryEject(passive, $"{failures} of {requests} requests failed");
        }
    }

    /// <summary>
    /// Ejects on another instance's word (`cluster.share-ejections`): for the time that instance chose, within this
    /// pool's `max-ejected`, when this pool has passive health; not told back to the cluster.
    /// </summary>
    public void EjectShared(TimeSpan duration, string reason)
    {
        var passive = _backend.Owner?.Config.Health.Passive;
        if (passive is null || !passive.Enabled || duration <= TimeSpan.Zero) return;
        TryEject(passive, reason, duration);
    }

    private void TryEject(PassiveHealthConfig passive, string reason, TimeSpan? shared = null)
    {
        var pool = _backend.Owner;
        if (pool is null) return;
        TimeSpan duration;
        lock (_gate)
        {
            if (IsEjected) return;
            var total = pool.Backends.Length;
            var ejected = 0;
            foreach (var b in pool.Backends)
            {
                if (b.HealthDetail.IsEjected) ejected++;
            }

            var max = (int)Math.Floor(passive.MaxEjected * total + 1e-9);
            if (ejected >= max)
            {
                // Start counting afresh so the cap is not re-logged on every request.
                Volatile.Write(ref _consecutiveFailures, 0);
                HealthLog.EjectionCapped(pool.Logger, _backend.Id, pool.Name, ejected, total);
                return;
            }

            var time = _backend.Time;
            var now = time.GetTimestamp();
            // A backend that stayed in for max-eject-for since its last ejection starts from eject-for again.
            if (_ejections > 0 && time.GetElapsedTime(_lastEjectionEnd, now) >= passive.MaxEjectFor) _ejections = 0;
            var factor = Math.Pow(2, Math.Min(_ejections, 30));
            duration = shared ?? TimeSpan.FromTicks((long)Math.Min(passive.EjectFor.Ticks * factor, passive.MaxEjectFor.Ticks));
            if (duration <= TimeSpan.Zero) duration = TimeSpan.FromTicks(1);
            _ejections++;
            Interlocked.Increment(ref _ejectionsTotal);
            Volatile.Write(ref _ejectedUntil, now + (long)(duration.TotalSeconds * time.TimestampFrequency));
            Volatile.Write(ref _consecutiveFailures, 0);
            Volatile.Write(ref _windowStart, 0);
            _ejectTimer?.Dispose();
            _ejectTimer = time.CreateTimer(static s => ((BackendHealth)s!).EndEjection(), this, duration, Timeout.InfiniteTimeSpan);
        }

        _downReason = $"ejected: {reason}";
        HealthLog.Ejected(pool.Logger, _backend.Id, pool.Name, duration, reason);
        _backend.RefreshHealth();
        if (shared is null) pool.Services.SharedEjections?.Ejected(pool.Name, _backend.Id, duration, reason);
    }

    private void EndEjection()
    {
        lock (_gate)
        {
            if (!IsEjected) return;
            EndEjectionLocked();
        }

        _backend.RefreshHealth();
    }

    private void EndEjectionLocked()
    {
        _ejectTimer?.Dispose();
        _ejectTimer = null;
        Volatile.Write(ref _ejectedUntil, 0);
        Volatile.Write(ref _consecutiveFailures, 0);
        _lastEjectionEnd = _backend.Time.GetTimestamp();
    }

    /// <summary>This machine's state for a process that takes over (<see cref="Handover.RuntimeState"/>), added to <paramref name="into"/>.</summary>
    internal Handover.BackendRuntimeState Capture(Handover.BackendRuntimeState into)
    {
        var time = _backend.Time;
        lock (_gate)
        {
            var ended = Volatile.Read(ref _lastEjectionEnd);
            return into with
            {
                ActiveDown = _activeDown,
                Passes = _passes,
                Fails = _fails,
                EjectedForMs = EjectionLeft.TotalMilliseconds,
                Ejections = _ejections,
                SinceEjectionEndMs = ended == 0 ? null : time.GetElapsedTime(ended).TotalMilliseconds,
                DownReason = DownReason,
                LastProbe = _lastProbe,
            };
        }
    }

    /// <summary>
    /// Takes over the state another process captured: the rise/fall counters, and an ejection for the time it had left
    /// (its timer starts here), so a backend that was down stays down until its checks or its ejection say otherwise.
    /// </summary>
    internal void Restore(Handover.BackendRuntimeState state)
    {
        var time = _backend.Time;
        var now = time.GetTimestamp();
        lock (_gate)
        {
            _passes = Math.Max(0, state.Passes);
            _fails = Math.Max(0, state.Fails);
            _activeDown = state.ActiveDown;
            _ejections = Math.Max(0, state.Ejections);
            if (state.SinceEjectionEndMs is double since) _lastEjectionEnd = now - Ticks(time, since);
            if (state.EjectedForMs > 0)
            {
                var duration = TimeSpan.FromMilliseconds(state.EjectedForMs);
                Volatile.Write(ref _ejectedUntil, now + Ticks(time, state.EjectedForMs));
                _ejectTimer?.Dispose();
                _ejectTimer = time.CreateTimer(static s => ((BackendHealth)s!).EndEjection(), this, duration, Timeout.InfiniteTimeSpan);
            }
        }

        _lastProbe = state.LastProbe;
        if (state.DownReason is not null) _downReason = state.DownReason;
        _backend.RefreshHealth();
    }

    private static long Ticks(TimeProvider time, double ms) => Math.Max(1, (long)(ms / 1000 * time.TimestampFrequency));

    internal bool IsDown => _activeDown || IsEjected;

    private static readonly ActiveHealthConfig DefaultActive = new();
}
