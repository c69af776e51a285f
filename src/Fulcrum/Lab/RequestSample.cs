namespace Fulcrum.Lab;

/// <summary>One request the load generator sent: when it started (ms since the run began), how long it took, who answered.</summary>
/// <param name="Backend">The answering backend's `X-Backend`; empty when the request failed before an answer.</param>
/// <param name="Status">The HTTP status; 0 when the request failed without one (a reset, a timeout).</param>
public readonly record struct RequestSample(double StartMs, double LatencyMs, string Backend, int Status)
{
    public bool IsError => Status != 200;
}
