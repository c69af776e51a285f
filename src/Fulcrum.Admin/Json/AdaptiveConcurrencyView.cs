namespace Fulcrum.Admin.Json;

/// <summary>
/// A pool's adaptive concurrency limit as the API shows it (docs/protection.md): the limit now, the requests in flight
/// under it, what each priority may fill of it, the minRTT and the last window's sampleRTT and gradient, whether the
/// minRTT is being measured (the limit is then pinned to min-concurrency), and the refusals so far by reason.
/// </summary>
public sealed record AdaptiveConcurrencyView(
    int Limit,
    int InFlight,
    IReadOnlyDictionary<string, int> Allowed,
    bool MeasuringMinRtt,
    double MinRttMs,
    double SampleRttMs,
    double Gradient,
    IReadOnlyDictionary<string, long> Shed);
