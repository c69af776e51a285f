using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Lab;

/// <summary>
/// One measured run of a config under closed-loop load: a fresh balancer (so the pool's counters start at zero), the
/// lab's <see cref="LoadGenerator"/> against it and the pool's in-flight counters sampled, as slow-server measures.
/// </summary>
internal static class ClosedLoopRun
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(50);

    /// <param name="during">Runs beside the load with the run's clock started (a backend slowing down halfway, say).</param>
    public static async Task<AlgorithmRun> MeasureAsync(string name, string yaml, string scenario, int clients, TimeSpan duration, int maxRequests,
        ILoggerFactory loggerFactory, CancellationToken cancellationToken, Func<CancellationToken, Task>? during = null)
    {
        await using var host = await LabBalancer.StartAsync(yaml, scenario, loggerFactory, cancellationToken);
        var pool = host.Store.Current.Pools[LabConfig.PoolName];
        var generator = new LoadGenerator(LabBalancer.Url(host), clients, duration, maxRequests);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampling = InFlightSampler.RunAsync(pool, SampleInterval, stop.Token);
        var clock = Stopwatch.StartNew();
        var load = generator.RunAsync(cancellationToken);
        var side = during?.Invoke(stop.Token) ?? Task.CompletedTask;
        var requests = await load;
        var elapsed = clock.Elapsed;
        await stop.CancelAsync();
        var inFlight = await sampling;
        try
        {
            await side;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The side task outlived the load: stopped with it.
        }

        await host.StopAsync(TimeSpan.FromSeconds(5));
        await Console.Out.WriteLineAsync(LabPage.Invariant($"{name}: {requests.Count} requests, {requests.Count(r => r.IsError)} errors in {elapsed.TotalSeconds:0.0} s"));
        return new AlgorithmRun(name, elapsed, requests, inFlight);
    }
}
