using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Health.Probes;

namespace Fulcrum.Health;

/// <summary>
/// Probes one backend on its own timer: a probe, then the next one an interval (plus or minus jitter) after it
/// ends, so probes of one backend never overlap and a slow backend is not probed harder. Never in the request path.
/// </summary>
internal sealed class ProbeLoop : IDisposable
{
    private readonly Backend _backend;
    private readonly ActiveHealthConfig _config;
    private readonly IHealthProbe _probe;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly CancellationTokenSource _stop = new();
    private readonly ITimer _timer;
    private readonly bool _reportsHealth;

    /// <param name="reportsHealth">
    /// False for probes that only read what the backend says (the agent check): their result does not count as a
    /// health check pass or failure.
    /// </param>
    public ProbeLoop(Backend backend, ActiveHealthConfig config, IHealthProbe probe, TimeProvider time, Random random, bool reportsHealth = true)
    {
        _reportsHealth = reportsHealth;
        _backend = backend;
        _config = config;
        _probe = probe;
        _time = time;
        _random = random;
        _timer = time.CreateTimer(static s => _ = ((ProbeLoop)s!).RunAsync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public Backend Backend => _backend;

    /// <summary>The first probe goes out at a random point of the first interval, so a pool's probes spread out.</summary>
    public void Start() => _timer.Change(_config.Interval * _random.NextDouble(), Timeout.InfiniteTimeSpan);

    private async Task RunAsync()
    {
        if (_stop.IsCancellationRequested) return;
        ProbeResult result;
        try
        {
            using var timeout = new CancellationTokenSource(_config.Timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token);
            result = await _probe.ProbeAsync(_backend, _config, linked.Token).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        if (_stop.IsCancellationRequested) return;
        if (_reportsHealth) _backend.HealthDetail.ReportProbe(result.Passed, result.Detail);
        try
        {
            _timer.Change(NextInterval(), Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Stopped while the probe ran.
        }
    }

    // interval * (1 + jitter * u), u uniform in [-1, 1): HAProxy spreads checks the same way (spread-checks).
    private TimeSpan NextInterval()
    {
        var jitter = Math.Clamp(_config.Jitter, 0, 1);
        var factor = 1 + jitter * (2 * _random.NextDouble() - 1);
        return _config.Interval * factor;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _timer.Dispose();
        _stop.Dispose();
    }
}
