namespace Fulcrum.L4.Tests;

/// <summary>A waiter takes the next pulse before it checks its condition, so a pulse in between is never lost.</summary>
public sealed class AsyncSignalTests
{
    [Fact]
    public void APulseBetweenTheCheckAndTheWait_CompletesTheTaskTakenBeforeTheCheck()
    {
        var signal = new AsyncSignal();
        var next = signal.Next(); // the waiter: taken, then its condition checked (and found false)

        signal.Pulse(); // the change lands before the waiter awaits

        Assert.True(next.IsCompleted);
    }

    [Fact]
    public void APulseWithNobodyWaiting_IsNotKeptForALaterWaiter()
    {
        var signal = new AsyncSignal();
        signal.Pulse();

        Assert.False(signal.Next().IsCompleted); // its condition check sees the change itself
    }

    [Fact]
    public void EveryWaiter_WakesAtTheSamePulse_AndTheNextWaitIsFresh()
    {
        var signal = new AsyncSignal();
        var a = signal.Next();
        var b = signal.Next();

        signal.Pulse();

        Assert.True(a.IsCompleted && b.IsCompleted);
        Assert.False(signal.Next().IsCompleted);
    }
}
