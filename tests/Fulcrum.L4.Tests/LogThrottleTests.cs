namespace Fulcrum.L4.Tests;

public sealed class LogThrottleTests
{
    [Fact]
    public void AWarning_PassesOncePerInterval_ByTheInjectedClock()
    {
        var clock = new ManualTimeProvider();
        var throttle = new LogThrottle(clock, TimeSpan.FromSeconds(1));

        Assert.True(throttle.Allow());
        Assert.False(throttle.Allow());
        clock.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
        Assert.False(throttle.Allow());
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(throttle.Allow());
        Assert.False(throttle.Allow());
    }
}
