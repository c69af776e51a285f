using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Vrrp;

/// <summary>
/// What this node tells keepalived, through the two things the keepalived.conf of `fulcrum keepalived` tracks: the
/// state file (track_file: 0 serving, 1 yielding) and the process name (track_process: present once every listener
/// serves, gone when the process is). The node yields when it drains (SIGTERM) or when a pool with backends has none
/// that health says up and the operator left active; the file is rewritten the moment the drain begins, and within
/// <see cref="CheckEvery"/> of a pool losing its last backend. Without a `vrrp:` section it does nothing.
/// </summary>
/// <remarks>
/// The order matters at start: the file is written before the process takes its tracked name, so keepalived never
/// counts a starting Fulcrum as up with a stale file from the run before (a crash leaves `0` behind).
/// </remarks>
public sealed class VrrpStanding : IDisposable
{
    /// <summary>How often pools are looked at; the drain does not wait for it.</summary>
    public static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(100);

    private readonly TopologyStore _store;
    private readonly Func<bool> _isDraining;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private bool _started;
    private bool _disposed;
    private string? _writtenValue;
    private string? _writtenPath;
    private string? _processName;
    private long _changes;

    public VrrpStanding(TopologyStore store, Func<bool> isDraining, ILogger log)
    {
        _store = store;
        _isDraining = isDraining;
        _log = log;
    }

    /// <summary>True while a `vrrp:` section is in the running config.</summary>
    public bool Configured => _store.Current.Config.Vrrp is not null;

    /// <summary>True while the state file says 1.</summary>
    public bool Yielding { get; private set; }

    /// <summary>Why the node yields (`draining`, `no backend up in pool 'api'`); null while it serves.</summary>
    public string? Reason { get; private set; }

    /// <summary>When the state file last changed value.</summary>
    public DateTimeOffset Since { get; private set; }

    /// <summary>How many times the state file changed value after its first write.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    /// <summary>The name the process took (the config's `process-name`); null before every listener serves.</summary>
    public string? ProcessNameSet => _processName;

    /// <summary>Called once every plane serves: writes the file, then takes the tracked name, then watches the pools.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _started = true;
            _timer = _store.Services.Time.CreateTimer(static self => ((VrrpStanding)self!).EvaluateSafely(), this, CheckEvery, CheckEvery);
        }

        Evaluate();
    }

    /// <summary>Looks at the drain and the pools now and writes the state file if its value changed.</summary>
    public void Evaluate()
    {
        var vrrp = _store.Current.Config.Vrrp;
        if (vrrp is null) return;
        var reason = _isDraining() ? "draining" : PoolWithoutBackendUp(_store.Current) is { } pool ? $"no backend up in pool '{pool}'" : null;
        lock (_gate)
        {
            if (!_started || _disposed) return;
            var value = reason is null ? VrrpStateFile.Serving : VrrpStateFile.Yielding;
            if (value != _writtenValue || vrrp.StateFile != _writtenPath)
            {
                if (VrrpStateFile.Write(vrrp.StateFile, value) is { } failure)
                {
                    // Tried again at the next check: keepalived keeps the last value it read meanwhile.
                    VrrpLog.StateFileFailed(_log, vrrp.StateFile, failure);
                    return;
                }

                if (value != _writtenValue)
                {
                    // The first write is where the file starts, not a change.
                    if (_writtenValue is not null) Interlocked.Increment(ref _changes);
                    Since = _store.Services.Time.GetUtcNow();
                }

                _writtenValue = value;
                _writtenPath = vrrp.StateFile;
                Yielding = reason is not null;
                Reason = reason;
                if (reason is null) VrrpLog.Serving(_log, vrrp.StateFile);
                else VrrpLog.Yielding(_log, reason, vrrp.StateFile);
            }
            else
            {
                Reason = reason;
            }

            if (_processName != vrrp.ProcessName)
            {
                if (ProcessName.Set(vrrp.ProcessName) is { } failure)
                {
                    VrrpLog.ProcessNameFailed(_log, vrrp.ProcessName, failure);
                }
                else
                {
                    VrrpLog.ProcessNamed(_log, vrrp.ProcessName);
                }

                // Not retried: a failure here is permanent (no /proc), and the log says what keepalived will see.
                _processName = vrrp.ProcessName;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }

    /// <summary>A pool that has backends but none that health says up and the operator left active (spare capacity aside).</summary>
    internal static string? PoolWithoutBackendUp(Topology topology) => Core.Health.ServingCheck.PoolWithoutBackendUp(topology);

    private void EvaluateSafely()
    {
        try
        {
            Evaluate();
        }
        catch (Exception e)
        {
            VrrpLog.CheckFailed(_log, e.Message, e);
        }
    }
}
