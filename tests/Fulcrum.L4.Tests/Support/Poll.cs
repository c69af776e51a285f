namespace Fulcrum.L4.Tests.Support;

internal static class Poll
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Waits until the condition holds; fails the test after a generous deadline.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var end = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > end) throw new TimeoutException($"timed out waiting for: {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>Bounds an await so a broken proxy fails the test instead of hanging it.</summary>
    public static async Task<T> Within<T>(Task<T> task, TimeSpan? limit = null)
    {
        var done = await Task.WhenAny(task, Task.Delay(limit ?? Deadline));
        if (done != task) throw new TimeoutException("operation did not finish in time");
        return await task;
    }

    public static async Task Within(Task task, TimeSpan? limit = null)
    {
        var done = await Task.WhenAny(task, Task.Delay(limit ?? Deadline));
        if (done != task) throw new TimeoutException("operation did not finish in time");
        await task;
    }
}
