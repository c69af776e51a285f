using Fulcrum.L4;

namespace Fulcrum.Hosting;

/// <summary>The L4 data planes (<see cref="TcpDataPlane"/> and <see cref="UdpDataPlane"/>) as one of the host's planes.</summary>
internal sealed class L4Plane(TcpDataPlane tcp, UdpDataPlane udp) : IPlane
{
    public string Name => "l4";

    public bool CarriesTraffic => true;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await tcp.StartAsync(cancellationToken);
        await udp.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken drainDeadline) =>
        Task.WhenAll(tcp.StopAsync(drainDeadline), udp.StopAsync(drainDeadline));

    public async ValueTask DisposeAsync()
    {
        await tcp.DisposeAsync();
        await udp.DisposeAsync();
    }
}
