using Fulcrum.L7;

namespace Fulcrum.Hosting;

/// <summary>The <see cref="HttpDataPlane"/> as one of the host's planes.</summary>
internal sealed class HttpPlane(HttpDataPlane dataPlane) : IPlane
{
    public string Name => "http";

    public bool CarriesTraffic => true;

    public Task StartAsync(CancellationToken cancellationToken) => dataPlane.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken drainDeadline) => dataPlane.StopAsync(drainDeadline);

    public ValueTask DisposeAsync() => dataPlane.DisposeAsync();
}
