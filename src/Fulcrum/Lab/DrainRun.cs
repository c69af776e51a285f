namespace Fulcrum.Lab;

/// <summary>
/// One `drain` run: every request, and when (ms since the load began) the deploy of the backend began, when the old
/// process was stopped, and when the new one took requests again.
/// </summary>
internal sealed record DrainRun(string Name, IReadOnlyList<RequestSample> Requests, double DeployMs, double StoppedMs, double BackMs, int InFlightAtStop)
{
    public int Failed => Requests.Count(r => r.IsError);

    public double DeploySeconds => (BackMs - DeployMs) / 1000;
}
