using System.Diagnostics;

namespace Fulcrum.Observability.Tests.Support;

/// <summary>Waits for a condition by asking again, with a generous deadline for a busy 2-core machine.</summary>
public static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < (timeout ?? DefaultTimeout))
        {
            if (await condition()) return;
            await Task.Delay(50);
        }

        Assert.Fail($"timed out after {clock.Elapsed.TotalSeconds:F1} s waiting for {what}");
    }

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);
}
