namespace Fulcrum.Bench.Soak;

/// <summary>Runs an action on a fixed period until stopped, at most a bounded number of times.</summary>
public static class Schedule
{
    /// <summary>
    /// Calls <paramref name="action"/> with 0, 1, 2, ... every <paramref name="period"/>, the first after
    /// <paramref name="first"/>, until <paramref name="stop"/> or <paramref name="limit"/> calls. The action itself
    /// is not cancelled: it is given the token and leaves things as it found them.
    /// </summary>
    public static async Task EveryAsync(TimeSpan first, TimeSpan period, int limit, CancellationToken stop, Func<int, CancellationToken, Task> action)
    {
        try
        {
            await Task.Delay(first, stop);
            using var timer = new PeriodicTimer(period);
            for (var i = 0; i < limit; i++)
            {
                await action(i, stop);
                if (!await timer.WaitForNextTickAsync(stop)) return;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The soak is over.
        }
    }

    /// <summary>How many periods fit in a duration, plus one: the bound for <see cref="EveryAsync"/>.</summary>
    public static int Limit(TimeSpan duration, TimeSpan period) => (int)(duration / period) + 1;
}
