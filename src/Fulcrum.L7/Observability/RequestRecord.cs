using System.Diagnostics;

namespace Fulcrum.L7.Observability;

/// <summary>
/// What the forwarder learns about one request, for the access log: one object per connection, reset per
/// request (it lives on <see cref="ProxyRequest"/>), so recording allocates nothing.
/// </summary>
internal sealed class RequestRecord
{
    public long Started;
    public long BackendChosen;
    public long FirstByte;
    public string? Route;
    public string? Pool;
    public string? Backend;
    public string? Outcome;
    public bool AffinityHit;
    public string? TraceId;

    public void Begin()
    {
        Started = Stopwatch.GetTimestamp();
        BackendChosen = 0;
        FirstByte = 0;
        Route = null;
        Pool = null;
        Backend = null;
        Outcome = null;
        AffinityHit = false;
        TraceId = null;
    }

    /// <summary>Milliseconds from arrival to <paramref name="stamp"/>; -1 when it never happened.</summary>
    public double Since(long stamp) => stamp == 0 ? -1 : Stopwatch.GetElapsedTime(Started, stamp).TotalMilliseconds;
}
