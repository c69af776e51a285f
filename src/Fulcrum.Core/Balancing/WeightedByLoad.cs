using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// `weighted-by-load`: smooth weighted round robin (<see cref="SmoothWeightedRoundRobin"/>'s rule) on weights the
/// backends' own load reports set, as gRPC's weighted round robin and Google's SRE book describe. Every
/// <see cref="Period"/> each backend's capacity is estimated as <c>requests per second / utilization</c>: one that
/// serves 100 requests/s at 50% could serve 200. Its weight is that capacity times its share of its configured weight
/// (agent percentage, slow start), so at the fixed point every backend runs at the same utilization and traffic
/// follows capacity, whatever the configured weights guessed. The rate is the backend's own `rps_fractional` when it
/// gives one, else what Fulcrum counted. A backend without a fresh report (none in <see cref="Stale"/>, or too little
/// traffic to measure a rate) gets the mean capacity of the others, so it is neither starved nor flooded; with no
/// report at all this is `weighted-round-robin`.
/// </summary>
internal sealed class WeightedByLoad : IBalancer
{
    /// <summary>How often the weights are recomputed from the reports.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);

    /// <summary>A report older than this is not used (the backend stopped reporting, or stopped getting requests).</summary>
    public static readonly TimeSpan Stale = TimeSpan.FromSeconds(10);

    // Utilization below this counts as this: an idle backend's capacity is large but not infinite.
    private const double MinUtilization = 0.05;
    // Weights are kept within this factor of the mean, so one bad report cannot take all the traffic or none.
    private const double Spread = 10;
    private const int Scale = 1000;

    private readonly Backend[] _backends;
    private readonly TimeProvider _time;
    private readonly long[] _current;
    private readonly long[] _weights;
    private readonly long[] _lastTotal;
    private readonly double[] _rate;
    private readonly Lock _lock = new();
    private long _lastUpdate;

    private WeightedByLoad(Backend[] backends, TimeProvider time)
    {
        _backends = backends;
        _time = time;
        _current = new long[backends.Length];
        _weights = new long[backends.Length];
        _lastTotal = new long[backends.Length];
        _rate = new double[backends.Length];
        Array.Fill(_weights, Scale);
    }

    public Backend? Pick(in PickContext context)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (_lastUpdate == 0 || _time.GetElapsedTime(_lastUpdate, now) >= Period) Update(now);
            var best = -1;
            long total = 0;
            for (var i = 0; i < _backends.Length; i++)
            {
                var b = _backends[i];
                var share = b.Weight > 0 ? (double)b.EffectiveWeight / b.Weight : 0;
                var w = b.IsUsable && share > 0 ? Math.Max(1, (long)(_weights[i] * share)) : 0;
                if (w == 0)
                {
                    _current[i] = 0;
                    continue;
                }

                _current[i] += w;
                total += w;
                if (best < 0 || _current[i] > _current[best]) best = i;
            }

            if (best < 0) return null;
            _current[best] -= total;
            return _backends[best];
        }
    }

    /// <summary>The weight backend <paramref name="index"/> has now (before its agent and slow-start share).</summary>
    internal long WeightOf(int index)
    {
        lock (_lock) return _weights[index];
    }

    private void Update(long now)
    {
        var seconds = _lastUpdate == 0 ? 0 : _time.GetElapsedTime(_lastUpdate, now).TotalSeconds;
        _lastUpdate = now;
        Span<double> capacity = _backends.Length <= 256 ? stackalloc double[_backends.Length] : new double[_backends.Length];
        double sum = 0;
        var known = 0;
        for (var i = 0; i < _backends.Length; i++)
        {
            var b = _backends[i];
            var total = b.Stats.Total;
            if (seconds > 0) _rate[i] = 0.5 * _rate[i] + 0.5 * ((total - _lastTotal[i]) / seconds); // smooth over about two periods
            _lastTotal[i] = total;
            capacity[i] = -1;
            var reports = b.Reports;
            var stamp = reports.LoadStamp;
            if (stamp == 0 || _time.GetElapsedTime(stamp, now) > Stale) continue;
            var rate = reports.RequestsPerSecond > 0 ? reports.RequestsPerSecond : _rate[i];
            if (rate <= 0) continue;
            capacity[i] = rate / Math.Max(MinUtilization, reports.Utilization);
            sum += capacity[i];
            known++;
        }

        if (known == 0)
        {
            for (var i = 0; i < _backends.Length; i++) _weights[i] = Scale * (long)Math.Max(0, _backends[i].Weight);
            return;
        }

        var mean = sum / known;
        for (var i = 0; i < _backends.Length; i++)
        {
            var c = capacity[i] < 0 ? mean : Math.Clamp(capacity[i], mean / Spread, mean * Spread);
            _weights[i] = Math.Max(1, (long)(Scale * c / mean));
        }
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => BalancerNames.WeightedByLoad;
        public bool UsesHash => false;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new WeightedByLoad(backends, services.Time);
    }
}
