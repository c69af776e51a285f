using Fulcrum.Dns;

namespace Fulcrum.Hosting;

/// <summary>The dns listeners (<see cref="DnsDataPlane"/>) as one of the host's planes, after the L4 and HTTP planes.</summary>
internal sealed class DnsPlane(DnsDataPlane dns) : IPlane
{
    public string Name => "dns";

    public bool CarriesTraffic => true;

    public Task StartAsync(CancellationToken cancellationToken) => dns.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken drainDeadline) => dns.StopAsync(drainDeadline);

    public ValueTask DisposeAsync() => dns.DisposeAsync();
}
