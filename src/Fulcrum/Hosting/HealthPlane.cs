using Fulcrum.Health;

namespace Fulcrum.Hosting;

/// <summary>The active <see cref="HealthCheckPlane"/> as one of the host's planes; it starts first so backends have a state before traffic.</summary>
internal sealed class HealthPlane(HealthCheckPlane checks) : IPlane
{
    public string Name => "health";

    public bool CarriesTraffic => false;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        checks.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken drainDeadline) => checks.DisposeAsync().AsTask();

    public ValueTask DisposeAsync() => checks.DisposeAsync();
}
