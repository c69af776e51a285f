namespace Fulcrum.Lab;

/// <summary>
/// The figures of one overload run, over the requests that started in its measured window (after the warm-up):
/// goodput (answers 200 within the clients' deadline, per second), the latency of those answers, and what share of
/// the offered load was shed (503 at once) or lost (no answer within the deadline).
/// </summary>
public sealed class OverloadRun
{
    private readonly double[] _sortedLatencies;

    public OverloadRun(string name, IReadOnlyList<RequestSample> requests, TimeSpan warmUp, TimeSpan end, double capacity)
    {
        Name = name;
        Requests = requests;
        Capacity = capacity;
        var from = warmUp.TotalMilliseconds;
        var to = end.TotalMilliseconds;
        Window = end - warmUp;
        var measured = requests.Where(r => r.StartMs >= from && r.StartMs < to).ToList();
        Offered = measured.Count;
        _sortedLatencies = [.. measured.Where(r => r.Status == 200).Select(r => r.LatencyMs).Order()];
        Shed = measured.Count(r => r.Status == 503);
        Lost = measured.Count(r => r.Status == 0);
    }

    public string Name { get; }

    /// <summary>The pool's adaptive limit over the run (empty without one, or when the balancer ran in another process).</summary>
    public IReadOnlyList<LimitSample> Limits { get; init; } = [];

    public IReadOnlyList<RequestSample> Requests { get; }

    public TimeSpan Window { get; }

    /// <summary>What the backends can serve, requests per second.</summary>
    public double Capacity { get; }

    public int Offered { get; }

    public int Served => _sortedLatencies.Length;

    public int Shed { get; }

    public int Lost { get; }

    public double OfferedPerSecond => Offered / Window.TotalSeconds;

    /// <summary>Answers 200 within the deadline per second.</summary>
    public double Goodput => Served / Window.TotalSeconds;

    /// <summary>Goodput as a share of <see cref="Capacity"/>.</summary>
    public double GoodputShare => Capacity > 0 ? Goodput / Capacity : 0;

    public double P50Ms => Percentile(0.50);

    public double P99Ms => Percentile(0.99);

    /// <summary>The nearest-rank percentile of the served requests' latency; 0 when none was served.</summary>
    public double Percentile(double p)
    {
        if (_sortedLatencies.Length == 0) return 0;
        var rank = (int)Math.Ceiling(p * _sortedLatencies.Length);
        return _sortedLatencies[Math.Clamp(rank - 1, 0, _sortedLatencies.Length - 1)];
    }
}
