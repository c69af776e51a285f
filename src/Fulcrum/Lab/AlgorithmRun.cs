namespace Fulcrum.Lab;

/// <summary>What one algorithm did in a lab run: every request, the in-flight series, and the figures derived from them.</summary>
public sealed class AlgorithmRun
{
    private readonly double[] _sortedLatencies;

    public AlgorithmRun(string algorithm, TimeSpan elapsed, List<RequestSample> requests, List<InFlightSample> inFlight)
    {
        Algorithm = algorithm;
        Elapsed = elapsed;
        Requests = requests;
        InFlight = inFlight;
        requests.Sort((a, b) => a.StartMs.CompareTo(b.StartMs));
        _sortedLatencies = [.. requests.Where(r => !r.IsError).Select(r => r.LatencyMs).Order()];
        Errors = requests.Count(r => r.IsError);
    }

    public string Algorithm { get; }

    public TimeSpan Elapsed { get; }

    public IReadOnlyList<RequestSample> Requests { get; }

    public IReadOnlyList<InFlightSample> InFlight { get; }

    public int Errors { get; }

    public int Succeeded => _sortedLatencies.Length;

    public double RequestsPerSecond => Elapsed > TimeSpan.Zero ? Succeeded / Elapsed.TotalSeconds : 0;

    public double P50Ms => Percentile(0.50);

    public double MeanMs => _sortedLatencies.Length == 0 ? 0 : _sortedLatencies.Average();

    public double P99Ms => Percentile(0.99);

    /// <summary>The share of successful requests <paramref name="backend"/> answered, 0 to 1.</summary>
    public double ShareOf(string backend) =>
        Succeeded == 0 ? 0 : (double)Requests.Count(r => !r.IsError && r.Backend == backend) / Succeeded;

    /// <summary>The mean of <paramref name="backend"/>'s in-flight samples.</summary>
    public double MeanInFlight(string backend)
    {
        var values = InFlight.Where(s => s.Backend == backend).Select(s => (double)s.Active).ToList();
        return values.Count == 0 ? 0 : values.Average();
    }

    /// <summary>Nearest-rank percentile of the successful requests' latencies, in ms.</summary>
    public double Percentile(double p)
    {
        if (_sortedLatencies.Length == 0) return 0;
        var rank = (int)Math.Ceiling(p * _sortedLatencies.Length);
        return _sortedLatencies[Math.Clamp(rank - 1, 0, _sortedLatencies.Length - 1)];
    }
}
