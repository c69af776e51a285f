using System.Diagnostics;

namespace Fulcrum.TestSupport;

/// <summary>
/// Waits for a condition by asking again, never by sleeping a guessed time, and fails the test after a deadline
/// generous enough for a busy 2-core machine. The one copy for every test project.
/// </summary>
public static class Poll
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // A condition that reads a counter or a flag costs nothing: ask often, so a test that times an event sees it late
    // by at most this much.
    private static readonly TimeSpan Often = TimeSpan.FromMilliseconds(10);

    // An async condition usually makes a request (the admin API, a /metrics scrape): ask less often, so the asking
    // does not load the machine whose behaviour the test is waiting for.
    private static readonly TimeSpan Politely = TimeSpan.FromMilliseconds(50);

    /// <summary>Waits until <paramref name="condition"/> holds; fails after <paramref name="timeout"/> (default <see cref="Deadline"/>).</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > (timeout ?? Deadline)) throw TimedOut(clock, what);
            await Task.Delay(Often);
        }
    }

    /// <summary>Waits until the async <paramref name="condition"/> holds; fails after <paramref name="timeout"/> (default <see cref="Deadline"/>).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > (timeout ?? Deadline)) throw TimedOut(clock, what);
            await Task.Delay(Politely);
        }
    }

    /// <summary>For synchronous tests that wait for work done off their thread.</summary>
    public static void Until(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > (timeout ?? Deadline)) throw TimedOut(clock, what);
            Thread.Sleep(5);
        }
    }

    /// <summary>Bounds an await so a broken proxy fails the test instead of hanging it.</summary>
    public static async Task<T> Within<T>(Task<T> task, TimeSpan? limit = null)
    {
        var done = await Task.WhenAny(task, Task.Delay(limit ?? Deadline));
        if (done != task) throw new TimeoutException("operation did not finish in time");
        return await task;
    }

    /// <summary>Bounds an await so a broken proxy fails the test instead of hanging it.</summary>
    public static async Task Within(Task task, TimeSpan? limit = null)
    {
        var done = await Task.WhenAny(task, Task.Delay(limit ?? Deadline));
        if (done != task) throw new TimeoutException("operation did not finish in time");
        await task;
    }

    private static TimeoutException TimedOut(Stopwatch clock, string what) =>
        new($"timed out after {clock.Elapsed.TotalSeconds:F1} s waiting for: {what}");
}
