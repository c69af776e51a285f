using Fulcrum.Core.Model;

namespace Fulcrum.Lab;

/// <summary>
/// Reads each backend's in-flight count from the pool's live counters at a fixed interval: the same
/// `Stats.Active` the least-connections balancer reads, so the chart shows what the balancer saw.
/// </summary>
public static class InFlightSampler
{
    public static async Task<List<InFlightSample>> RunAsync(Pool pool, TimeSpan interval, CancellationToken stop)
    {
        var samples = new List<InFlightSample>();
        // The pool's own clock, as every timer in Fulcrum reads its TimeProvider.
        var time = pool.Services.Time;
        var started = time.GetTimestamp();
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            do
            {
                var at = time.GetElapsedTime(started).TotalMilliseconds;
                foreach (var backend in pool.Backends)
                {
                    samples.Add(new InFlightSample(at, backend.Id, backend.Stats.Active));
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
            // The run ended: the samples so far are the series.
        }

        return samples;
    }
}
