using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Core.Health;

/// <summary>
/// One backend's drain: it takes no new work (its intent is Draining) while in-flight work finishes.
/// The drain is done when nothing is in flight or `drain-timeout` passes, whichever comes first; a backend
/// drained in place is then parked, one being removed leaves. Until the timeout a parked backend may
/// still serve its sticky clients (<see cref="Backend.AcceptsSticky"/>).
/// </summary>
public sealed class DrainState : IDisposable
{
    private readonly Backend _backend;
    private readonly string _pool;
    private readonly ILogger _logger;
    private readonly Action<Backend>? _finished;
    private readonly TimeProvider _time;
    private readonly long _started;
    private ITimer? _timer;
    private int _done;      // 1 once finished (removal) or empty (in place)
    private volatile bool _timedOut;
    private volatile bool _drained;

    internal DrainState(Backend backend, string pool, TimeSpan timeout, bool removing, TimeProvider time, ILogger logger, Action<Backend>? finished)
    {
        _backend = backend;
        _pool = pool;
        Timeout = timeout;
        Removing = removing;
        _time = time;
        _logger = logger;
        _finished = finished;
        _started = time.GetTimestamp();
    }

    public TimeSpan Timeout { get; }
    /// <summary>True when the backend leaves its pool once drained (DELETE or a reload dropped it).</summary>
    public bool Removing { get; }
    /// <summary>Nothing was in flight at some point since the drain began.</summary>
    public bool IsDrained => _drained;
    /// <summary>drain-timeout passed: sticky clients no longer reach it.</summary>
    public bool TimedOut => _timedOut;
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>Time until drain-timeout; zero once drained-and-removed or timed out.</summary>
    public TimeSpan TimeLeft
    {
        get
        {
            if (_timedOut || (Removing && _drained)) return TimeSpan.Zero;
            var left = Timeout - Elapsed;
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    internal void Start()
    {
        _backend.Stats.CountDrain();
        HealthLog.DrainStarted(_logger, _backend.Id, _pool, _backend.Stats.Active, Timeout);
        _timer = _time.CreateTimer(static s => ((DrainState)s!).OnTimeout(), this, Timeout, System.Threading.Timeout.InfiniteTimeSpan);
        CheckEmpty();
    }

    /// <summary>Called when work on the backend is released.</summary>
    internal void CheckEmpty()
    {
        if (_backend.Stats.Active != 0 || _drained) return;
        if (Interlocked.Exchange(ref _done, 1) != 0) return;
        _drained = true;
        HealthLog.Drained(_logger, _backend.Id, _pool);
        if (Removing)
        {
            _timer?.Dispose();
            _finished?.Invoke(_backend);
        }
    }

    private void OnTimeout()
    {
        _timedOut = true;
        var active = _backend.Stats.Active;
        if (active > 0) HealthLog.DrainTimedOut(_logger, _backend.Id, _pool, active);
        if (Removing && Interlocked.Exchange(ref _done, 1) == 0) _finished?.Invoke(_backend);
    }

    public void Dispose() => _timer?.Dispose();
}
