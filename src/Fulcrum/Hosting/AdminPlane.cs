using Fulcrum.Admin;

namespace Fulcrum.Hosting;

/// <summary>The <see cref="AdminServer"/> as one of the host's planes; it starts last, so /healthz answers only once everything serves.</summary>
internal sealed class AdminPlane(AdminServer server) : IPlane
{
    public string Name => "admin";

    public bool CarriesTraffic => false;

    public AdminServer Server => server;

    public Task StartAsync(CancellationToken cancellationToken) => server.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken drainDeadline) => server.StopAsync(drainDeadline);

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
