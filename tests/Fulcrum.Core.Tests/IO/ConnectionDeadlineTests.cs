using Fulcrum.Core.IO;

namespace Fulcrum.Core.Tests.IO;

public sealed class ConnectionDeadlineTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void Token_FiresExactlyAtTheDeadline()
    {
        var time = new ManualTimeProvider();
        using var deadline = new ConnectionDeadline(time);
        deadline.Set(10 * Second);
        time.Advance(10 * Second - TimeSpan.FromTicks(1));
        Assert.False(deadline.Token.IsCancellationRequested);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void LaterDeadline_ReplacesAnEarlierOne_TheTimerWakesAndSleepsAgain()
    {
        var time = new ManualTimeProvider();
        using var deadline = new ConnectionDeadline(time);
        deadline.Set(5 * Second);
        time.Advance(2 * Second);
        deadline.Set(30 * Second); // due 32 s in; the timer still wakes at 5 s
        time.Advance(10 * Second);
        Assert.False(deadline.Token.IsCancellationRequested);
        time.Advance(20 * Second - TimeSpan.FromTicks(1));
        Assert.False(deadline.Token.IsCancellationRequested);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void EarlierDeadline_ReplacesALaterOne()
    {
        var time = new ManualTimeProvider();
        using var deadline = new ConnectionDeadline(time);
        deadline.Set(130 * Second);
        deadline.Set(3 * Second);
        time.Advance(3 * Second);
        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void Clear_StopsTheClock_UntilTheNextSet()
    {
        var time = new ManualTimeProvider();
        using var deadline = new ConnectionDeadline(time);
        deadline.Set(Second);
        deadline.Clear();
        time.Advance(60 * Second);
        Assert.False(deadline.Token.IsCancellationRequested);
        deadline.Set(Timeout.InfiniteTimeSpan);
        time.Advance(60 * Second);
        Assert.False(deadline.Token.IsCancellationRequested);
        deadline.Set(2 * Second);
        time.Advance(2 * Second);
        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void ManySets_ArmTheTimerOnlyWhenTheyComeEarlier()
    {
        // The hot path's promise: a request's keep-alive, header-timeout and clear cost no timer call once armed.
        var time = new CountingTimeProvider();
        using var deadline = new ConnectionDeadline(time);
        deadline.Set(30 * Second);
        for (var request = 0; request < 1000; request++)
        {
            deadline.Set(130 * Second);
            deadline.Set(30 * Second);
            deadline.Clear();
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(1, time.Changes);
        Assert.False(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void TryReset_IsFalse_OnceTheTokenFired()
    {
        var time = new ManualTimeProvider();
        using var deadline = new ConnectionDeadline(time);
        deadline.Set(Second);
        Assert.True(deadline.TryReset());
        time.Advance(5 * Second);
        Assert.True(deadline.TryReset());
        deadline.Set(Second);
        time.Advance(Second);
        Assert.False(deadline.TryReset());
    }

    [Fact]
    public void Cancel_FiresAtOnce_AndZeroTimeoutToo()
    {
        var time = new ManualTimeProvider();
        using var first = new ConnectionDeadline(time);
        first.Cancel();
        Assert.True(first.Token.IsCancellationRequested);
        using var second = new ConnectionDeadline(time);
        second.Set(TimeSpan.Zero);
        Assert.True(second.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task SystemClock_FiresTheToken()
    {
        using var deadline = new ConnectionDeadline(TimeProvider.System);
        deadline.Set(TimeSpan.FromSeconds(5));
        deadline.Set(TimeSpan.FromMilliseconds(50));
        var fired = new TaskCompletionSource();
        deadline.Token.Register(() => fired.TrySetResult());
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    // A manual clock that counts how often its timers are changed.
    private sealed class CountingTimeProvider : TimeProvider
    {
        private readonly ManualTimeProvider _inner = new();

        public int Changes;

        public override long TimestampFrequency => _inner.TimestampFrequency;
        public override long GetTimestamp() => _inner.GetTimestamp();
        public void Advance(TimeSpan by) => _inner.Advance(by);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            new Counting(this, _inner.CreateTimer(callback, state, dueTime, period));

        private sealed class Counting(CountingTimeProvider owner, ITimer inner) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                owner.Changes++;
                return inner.Change(dueTime, period);
            }

            public void Dispose() => inner.Dispose();
            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
