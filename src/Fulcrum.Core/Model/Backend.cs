using Fulcrum.Core.Configuration;
using Fulcrum.Core.Health;

namespace Fulcrum.Core.Model;

/// <summary>
/// One server and its live state. The same object survives config reloads while its pool and id stay,
/// so counters and health are kept; the config only updates its weight and role.
/// </summary>
public sealed class Backend
{
    private volatile int _weight;
    private volatile OperatorIntent _intent;
    private volatile HealthStatus _health = HealthStatus.Up;
    private volatile int _maxConnections;
    private volatile Pool? _owner;
    private volatile DrainState? _drain;
    private long _rampStart; // TimeProvider timestamp the slow-start ramp began at; 0 when not ramping

    public Backend(string id, string address, int weight, bool isBackup = false)
    {
        Id = id;
        Address = address;
        (Host, Port) = SplitAddress(address);
        _weight = weight;
        IsBackup = isBackup;
        HealthDetail = new BackendHealth(this);
    }

    public static Backend From(BackendConfig config) => new(config.Id, config.Address, config.Weight, config.Backup);

    public string Id { get; }
    /// <summary>host:port as configured.</summary>
    public string Address { get; }
    public string Host { get; }
    public int Port { get; }
    public bool IsBackup { get; internal set; }
    public BackendStats Stats { get; } = new();

    /// <summary>What the backend says about itself: its agent's weight and state, its reported utilization.</summary>
    public BackendReports Reports { get; } = new();

    /// <summary>Configured (or operator-set) weight.</summary>
    public int Weight
    {
        get => _weight;
        set => _weight = value;
    }

    /// <summary>
    /// The weight balancers use now. During slow start it ramps linearly from 10% of <see cref="Weight"/> to all of it
    /// over the pool's `slow-start` (HAProxy's linear ramp), rounded up, so it is at least 1 while the weight is.
    /// </summary>
    public int EffectiveWeight
    {
        get
        {
            var weight = _weight;
            var percent = Reports.WeightPercent;
            // The agent's percentage scales the configured weight, as HAProxy's does; rounded up, so only 0% stops work.
            if (percent != 100 && weight > 0) weight = (int)((weight * (long)percent + 99) / 100);
            if (Volatile.Read(ref _rampStart) == 0 || weight <= 0) return weight;
            var factor = SlowStartFactor;
            return factor >= 1 ? weight : Math.Max(1, (int)Math.Ceiling(weight * factor));
        }
    }

    /// <summary>Share of its weight the backend gets now: 1 outside slow start, 0.1 up to 1 during it.</summary>
    public double SlowStartFactor
    {
        get
        {
            var start = Volatile.Read(ref _rampStart);
            if (start == 0) return 1;
            var owner = _owner;
            var ramp = owner?.Config.SlowStart ?? TimeSpan.Zero;
            var elapsed = owner is null ? ramp : owner.Services.Time.GetElapsedTime(start);
            if (ramp <= TimeSpan.Zero || elapsed >= ramp)
            {
                Interlocked.CompareExchange(ref _rampStart, 0, start);
                return 1;
            }

            return Math.Max(0.1, elapsed / ramp);
        }
    }

    /// <summary>True while the slow-start ramp runs.</summary>
    public bool InSlowStart => SlowStartFactor < 1;

    /// <summary>What the operator asked for; setting it here is raw (use <see cref="BackendOperations"/> to drain).</summary>
    public OperatorIntent Intent
    {
        get => _intent;
        set
        {
            var old = _intent;
            _intent = value;
            if (old != OperatorIntent.Active && value == OperatorIntent.Active && _health == HealthStatus.Up) StartSlowStart();
            if (old != value) _owner?.RefreshHealth();
        }
    }

    /// <summary>What health checks concluded (see <see cref="HealthDetail"/>); setting it here overrides them until their next change.</summary>
    public HealthStatus Health
    {
        get => _health;
        set
        {
            var old = _health;
            _health = value;
            if (old != value)
            {
                if (value == HealthStatus.Up && _intent == OperatorIntent.Active) StartSlowStart();
                _owner?.RefreshHealth();
            }
        }
    }

    /// <summary>The health state machine: active rise/fall and passive ejection.</summary>
    public BackendHealth HealthDetail { get; }

    /// <summary>The drain in progress or done, or null when the backend was never drained since it was last made ready.</summary>
    public DrainState? Drain
    {
        get => _drain;
        internal set
        {
            var old = _drain;
            _drain = value;
            if (!ReferenceEquals(old, value)) old?.Dispose();
        }
    }

    /// <summary>
    /// May still serve a sticky (affinity) client although it takes no new work: draining in place, healthy,
    /// and drain-timeout not yet passed. Affinity should honour this; balancers never pick it.
    /// </summary>
    public bool AcceptsSticky => IsUsable
        || (_intent == OperatorIntent.Draining && _health == HealthStatus.Up && Reports.Admin != AgentAdmin.Maintenance && !Reports.AgentDown
            && (_drain is null || (!_drain.Removing && !_drain.TimedOut)))
        || (_intent == OperatorIntent.Active && _health == HealthStatus.Up && Reports.Admin == AgentAdmin.Drain && !Reports.AgentDown);

    /// <summary>The pool generation this backend belongs to now (null when built outside a topology).</summary>
    internal Pool? Owner
    {
        get => _owner;
        set => _owner = value;
    }

    internal TimeProvider Time => _owner?.Services.Time ?? TimeProvider.System;

    /// <summary>Restarts the slow-start ramp (no effect when the pool's slow-start is 0).</summary>
    internal void StartSlowStart(TimeProvider? time = null) =>
        Volatile.Write(ref _rampStart, Math.Max(1, (time ?? Time).GetTimestamp()));

    /// <summary>Recomputes <see cref="Health"/> from the state machine and tells the pool.</summary>
    internal void RefreshHealth()
    {
        var next = HealthDetail.IsDown ? HealthStatus.Down : HealthStatus.Up;
        if (next == _health) return;
        Health = next;
        var owner = _owner;
        if (owner is null) return;
        if (next == HealthStatus.Up) HealthLog.BackendUp(owner.Logger, Id, owner.Name);
        else HealthLog.BackendDown(owner.Logger, Id, owner.Name, HealthDetail.DownReason ?? "health check");
    }

    /// <summary>Work in flight at most (the pool's backend-max-connections); 0 means no limit.</summary>
    public int MaxConnections
    {
        get => _maxConnections;
        set => _maxConnections = value;
    }

    /// <summary>Below its connection limit. Checked in <see cref="IsUsable"/> so every balancer skips full backends.</summary>
    public bool HasCapacity => _maxConnections == 0 || Stats.Active < _maxConnections;

    /// <summary>May take new work: active intent, healthy, its agent (if any) agrees, and below its connection limit.</summary>
    public bool IsUsable => _intent == OperatorIntent.Active && _health == HealthStatus.Up && Reports.AgentAllows && HasCapacity;

    public BackendState State => _intent switch
    {
        OperatorIntent.Maintenance => BackendState.Maintenance,
        OperatorIntent.Draining => BackendState.Draining,
        _ when Reports.Admin == AgentAdmin.Maintenance => BackendState.Maintenance,
        _ when Reports.Admin == AgentAdmin.Drain => BackendState.Draining,
        _ when _health == HealthStatus.Down || Reports.AgentDown => BackendState.Down,
        _ when IsBackup => BackendState.Backup,
        _ => BackendState.Up,
    };

    public Lease Acquire(TimeProvider time) => new(this, time);

    /// <summary>The passive hook: every released lease reports its outcome here.</summary>
    internal void OnReleased(Outcome outcome)
    {
        HealthDetail.Observe(outcome);
        _drain?.CheckEmpty();
    }

    public override string ToString() => Id;

    private static (string Host, int Port) SplitAddress(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), out var port))
        {
            return (address, 0);
        }

        var host = address[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        return (host, port);
    }
}
