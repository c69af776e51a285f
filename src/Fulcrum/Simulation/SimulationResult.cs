namespace Fulcrum.Simulation;

/// <summary>What one algorithm did in one simulation, counted after the warm-up.</summary>
internal sealed class SimulationResult(string algorithm, int backends)
{
    /// <summary>Queue lengths tracked for the time averages: deeper ones are counted at this depth.</summary>
    public const int TrackedDepth = 64;

    public string Algorithm { get; } = algorithm;
    /// <summary>Time in the system of requests that succeeded (waiting, service, retries), in seconds.</summary>
    public TailHistogram Latency { get; } = new();
    public long Requests { get; set; }
    public long Errors { get; set; }
    /// <summary>Extra attempts sent after errors.</summary>
    public long RetriesSent { get; set; }
    /// <summary>Retries the budget withheld (the request failed instead).</summary>
    public long RetriesWithheld { get; set; }
    /// <summary>Attempts sent per request: 1 without retries; the load a retry policy multiplies the backends' work by.</summary>
    public double Amplification => Requests == 0 ? 0 : (Requests + RetriesSent) / (double)Requests;
    /// <summary>Hedged requests: copies sent, and how many of them answered before the original.</summary>
    public long HedgesSent { get; set; }
    public long HedgeWins { get; set; }
    /// <summary>The share of requests that sent a copy: the extra requests hedging costs.</summary>
    public double HedgeShare => Requests == 0 ? 0 : HedgesSent / (double)Requests;
    /// <summary>Worker time the requests used, in seconds, copies included (a cancelled one up to its cancel).</summary>
    public double BusySeconds { get; set; }
    /// <summary>Requests each backend finished (successes and errors).</summary>
    public long[] Served { get; } = new long[backends];
    /// <summary>The most requests one backend held at once (queued and in service).</summary>
    public int MaxQueue { get; set; }
    /// <summary>For depth i, the time-average share of backends holding at least i requests (index 0 unused).</summary>
    public double[] AtLeast { get; } = new double[TrackedDepth + 1];
    public double SimulatedSeconds { get; set; }
    public TimeSpan WallTime { get; set; }

    /// <summary>The busiest backend's requests over the mean, each weighed by its speed (1 is perfectly even).</summary>
    public double Imbalance(SimulationSettings settings)
    {
        double max = 0, sum = 0;
        for (var j = 0; j < Served.Length; j++)
        {
            var relative = Served[j] / settings.Speed(j);
            sum += relative;
            if (relative > max) max = relative;
        }

        return sum == 0 ? 0 : max / (sum / Served.Length);
    }
}
