namespace Fulcrum.L7.Tests.Support;

/// <summary>Waits for a condition by polling, with a generous deadline for a busy 2-core machine.</summary>
public static class Poll
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for: {what}");
            await Task.Yield();
            await Task.Delay(10);
        }
    }
}
