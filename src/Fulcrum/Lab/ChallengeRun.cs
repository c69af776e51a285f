namespace Fulcrum.Lab;

/// <summary>
/// One mode of the `challenge`: the closed-loop throughput phase (no failure) and the open-loop failover phase, in
/// which a backend was killed at <see cref="KilledMs"/> (ms since that phase's load began).
/// </summary>
internal sealed record ChallengeRun(string Name, AlgorithmRun Throughput, IReadOnlyList<RequestSample> Failover, double KilledMs)
{
    public int Failed => Failover.Count(r => r.IsError);

    public double ErrorRate => Failover.Count == 0 ? 0 : (double)Failed / Failover.Count;

    /// <summary>
    /// From the kill to the end of the last failed request that ended after it: every request since was answered; 0 when
    /// none failed.
    /// NaN when requests still failed in the last second of the phase (nothing took the dead server's place).
    /// </summary>
    public double FailoverMs(double phaseMs)
    {
        var failures = Failover.Where(r => r.IsError && r.StartMs + r.LatencyMs >= KilledMs).ToList();
        if (failures.Count == 0) return 0;
        var last = failures.Max(r => r.StartMs + r.LatencyMs);
        return failures.Any(r => r.StartMs >= phaseMs - 1000) ? double.NaN : Math.Max(0, last - KilledMs);
    }
}
