namespace Fulcrum.Hosting;

/// <summary>
/// A part of the running balancer that starts and stops with the others: the HTTP data plane, and
/// as they land the L4 data plane, the active health checkers and the admin API.
/// </summary>
public interface IPlane : IAsyncDisposable
{
    string Name { get; }

    /// <summary>
    /// True for planes that carry client traffic (L4, L7): on shutdown they drain first, while the
    /// control planes (health checks, admin API) keep running so /healthz can say "draining".
    /// </summary>
    bool CarriesTraffic { get; }

    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Stop taking new work, let in-flight work finish until <paramref name="drainDeadline"/> fires, then close.</summary>
    Task StopAsync(CancellationToken drainDeadline);
}
