namespace Fulcrum.Core.Observability;

/// <summary>
/// Live counters of one route of one listener, kept across reloads (a route rebuilt with the same name counts on, as
/// <see cref="ListenerStats"/> do): requests by the status class sent to the client, and the time from a request's
/// arrival to the end of its answer. Recording is a few Interlocked adds; read by `fulcrum_route_requests_total` and
/// `fulcrum_route_request_duration_seconds`.
/// </summary>
public sealed class RouteStats(string listener, string route)
{
    private readonly long[] _classes = new long[5];

    public string Listener => listener;
    public string Route => route;

    /// <summary>From arrival to the last byte of the answer, every request of the route (its own answers too).</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Requests answered with a status of class <paramref name="digit"/> (1 to 5).</summary>
    public long StatusClass(int digit) => Volatile.Read(ref _classes[digit - 1]);

    public void Record(int status, TimeSpan elapsed)
    {
        var digit = status / 100;
        if (digit is >= 1 and <= 5) Interlocked.Increment(ref _classes[digit - 1]);
        Latency.Record(elapsed);
    }
}
