using Fulcrum.Core.Balancing;
using Fulcrum.Hosting;
using Fulcrum.Lab;
using Fulcrum.Simulation;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Fulcrum.Tests.Simulation;

/// <summary>
/// The simulator against the lab: slow-server's setup (two backends of 10 ms, one of 100 ms, 2 workers each, 24
/// closed-loop clients) run for real in the short mode and simulated at the same scale with the service times the lab
/// measured. The statistic is least connections' requests/s over round robin's: both runs are bounded by the backends'
/// capacity rather than by the CPU (round robin by three times the slow backend's, least connections by nearly the
/// whole), so the ratio is a property of the queueing, which the simulator models, and a machine's slowness moves both
/// sides together. The tolerance, 30% either way, covers the short mode's 2 s runs (10-20% from run to run on a busy
/// 2-core machine) and the simulator's idealised backends (no HTTP, no connection cost).
/// </summary>
public sealed class SimulatorLabAgreementTests(ITestOutputHelper output)
{
    public const double Tolerance = 0.3;

    [Fact]
    public async Task SlowServer_SimulatedAtLabScale_AgreesWithTheLab_OnLeastConnectionsOverRoundRobinRequestsPerSecond()
    {
        using var logging = HostLogging.Create(LogLevel.Warning);
        var backends = new List<LabBackend>();
        try
        {
            backends.Add(await LabBackend.StartAsync("fast-1", SlowServerScenario.FastServiceTime, SlowServerScenario.WorkersPerBackend));
            backends.Add(await LabBackend.StartAsync("fast-2", SlowServerScenario.FastServiceTime, SlowServerScenario.WorkersPerBackend));
            backends.Add(await LabBackend.StartAsync("slow", SlowServerScenario.SlowServiceTime, SlowServerScenario.WorkersPerBackend));
            var measure = SlowServerScenario.MeasureTime(isShort: true);
            await ClosedLoopRun.MeasureAsync("warm-up", LabConfig.Text(BalancerNames.RoundRobin, backends), "agreement", SlowServerScenario.Clients, measure / 4, 100_000, logging, CancellationToken.None);
            var rr = await ClosedLoopRun.MeasureAsync(BalancerNames.RoundRobin, LabConfig.Text(BalancerNames.RoundRobin, backends), "agreement", SlowServerScenario.Clients, measure, 100_000, logging, CancellationToken.None);
            var lc = await ClosedLoopRun.MeasureAsync(BalancerNames.LeastConnections, LabConfig.Text(BalancerNames.LeastConnections, backends), "agreement", SlowServerScenario.Clients, measure, 100_000, logging, CancellationToken.None);
            var lab = lc.RequestsPerSecond / rr.RequestsPerSecond;

            // The simulator at lab scale, on the service times the lab's timers really gave.
            var fast = (backends[0].MeasuredServiceTime + backends[1].MeasuredServiceTime).TotalSeconds / 2;
            var settings = new SimulationSettings
            {
                Backends = 3, SlowFraction = 1.0 / 3, SlowFactor = backends[2].MeasuredServiceTime.TotalSeconds / fast, MeanService = fast,
                Service = ServiceShape.Constant, Workers = SlowServerScenario.WorkersPerBackend, Clients = SlowServerScenario.Clients, Requests = 60_000,
            };
            var simRr = Simulator.Run(settings, BalancerNames.RoundRobin);
            var simLc = Simulator.Run(settings, BalancerNames.LeastConnections);
            var simulated = (simLc.Requests / simLc.SimulatedSeconds) / (simRr.Requests / simRr.SimulatedSeconds);

            var message = $"lab: {lc.RequestsPerSecond:0.#} / {rr.RequestsPerSecond:0.#} = {lab:0.00}; simulated: {simulated:0.00}";
            output.WriteLine(message);
            Assert.InRange(lab / simulated, 1 - Tolerance, 1 + Tolerance);
            Assert.True(simulated > 3, message); // the claim itself, in both
            Assert.True(lab > 3, message);
        }
        finally
        {
            foreach (var backend in backends) await backend.DisposeAsync();
        }
    }
}
