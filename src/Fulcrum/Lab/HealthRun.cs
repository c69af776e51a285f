namespace Fulcrum.Lab;

/// <summary>
/// One `health` run: every request, and when (ms since the load began) the backend was killed, found down, restarted
/// and found up again, and the health state's reason. A time the balancer never reached is NaN.
/// </summary>
internal sealed record HealthRun(string Name, IReadOnlyList<RequestSample> Requests, double KilledMs, double DownMs, double RestartedMs, double UpMs, string DownReason)
{
    public double DetectMs => DownMs - KilledMs;

    public double ReturnMs => UpMs - RestartedMs;

    public int Failed => Requests.Count(r => r.IsError);

    /// <summary>
    /// Failed requests sent after the kill had completed: the ones the time to find the backend down costs. Requests cut
    /// inside the dying backend are not among them, and how many a kill finds there depends on the machine, not the check.
    /// </summary>
    public int FailedAfterTheKill => Requests.Count(r => r.IsError && r.StartMs >= KilledMs);

    /// <summary>Failed requests that started while the backend was dead or not yet back in rotation.</summary>
    public int FailedAroundTheCrash => Requests.Count(r => r.IsError && r.StartMs >= KilledMs - 100);

    /// <summary>Requests the killed backend answered after it came back.</summary>
    public int ServedAfterReturn(string backend) => Requests.Count(r => !r.IsError && r.Backend == backend && r.StartMs > UpMs);
}
