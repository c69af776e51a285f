using Fulcrum.Core.Configuration;

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

    public Backend(string id, string address, int weight, bool isBackup = false)
    {
        Id = id;
        Address = address;
        (Host, Port) = SplitAddress(address);
        _weight = weight;
        IsBackup = isBackup;
    }

    public static Backend From(BackendConfig config) => new(config.Id, config.Address, config.Weight, config.Backup);

    public string Id { get; }
    /// <summary>host:port as configured.</summary>
    public string Address { get; }
    public string Host { get; }
    public int Port { get; }
    public bool IsBackup { get; internal set; }
    public BackendStats Stats { get; } = new();

    /// <summary>Configured (or operator-set) weight.</summary>
    public int Weight
    {
        get => _weight;
        set => _weight = value;
    }

    /// <summary>The weight balancers use now: the weight, ramped during slow start.</summary>
    public int EffectiveWeight => _weight;

    public OperatorIntent Intent
    {
        get => _intent;
        set => _intent = value;
    }

    public HealthStatus Health
    {
        get => _health;
        set => _health = value;
    }

    /// <summary>Work in flight at most (the pool's backend-max-connections); 0 means no limit.</summary>
    public int MaxConnections
    {
        get => _maxConnections;
        set => _maxConnections = value;
    }

    /// <summary>Below its connection limit. Checked in <see cref="IsUsable"/> so every balancer skips full backends.</summary>
    public bool HasCapacity => _maxConnections == 0 || Stats.Active < _maxConnections;

    /// <summary>May take new work: active intent, healthy and below its connection limit.</summary>
    public bool IsUsable => _intent == OperatorIntent.Active && _health == HealthStatus.Up && HasCapacity;

    public BackendState State => _intent switch
    {
        OperatorIntent.Maintenance => BackendState.Maintenance,
        OperatorIntent.Draining => BackendState.Draining,
        _ when _health == HealthStatus.Down => BackendState.Down,
        _ when IsBackup => BackendState.Backup,
        _ => BackendState.Up,
    };

    public Lease Acquire(TimeProvider time) => new(this, time);

    internal void OnReleased(Outcome outcome)
    {
        // Passive health observes outcomes here (see the health issue).
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
