using Fulcrum.Core.Configuration;
using Fulcrum.Core.Protection;
using Fulcrum.TestSupport;

namespace Fulcrum.Core.Tests.Protection;

public sealed class GradientLimitTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);
    private readonly ManualTimeProvider _time = new();

    private GradientLimit Limit(TimeSpan? fixedMinRtt = null, int minConcurrency = 3) => new(new AdaptiveConcurrencyConfig
    {
        Interval = Window,
        MinRttRequests = 5,
        MinConcurrency = minConcurrency,
        Jitter = 0,
        FixedMinRtt = fixedMinRtt,
    }, _time, new Random(1));

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    // One window: demand fills the limit (or not), requests answer in `latency`, and the window's last sample updates it.
    private void RunWindow(GradientLimit limit, TimeSpan latency, bool saturated = true)
    {
        if (saturated) limit.OnAdmitted(limit.Limit);
        limit.OnSample(limit.Epoch, latency);
        _time.Advance(Window);
        limit.OnSample(limit.Epoch, latency);
    }

    [Fact]
    public void MinRtt_IsMeasuredAtMinConcurrency_FromRequestsAdmittedDuringTheMeasurementOnly()
    {
        var limit = Limit();
        Assert.True(limit.Measuring);
        Assert.Equal(3, limit.Limit);
        var epoch = limit.Epoch;

        // Requests admitted before the measurement began were slowed by the old limit: they must not count.
        for (var i = 0; i < 10; i++) limit.OnSample(epoch - 1, Ms(500));
        Assert.True(limit.Measuring);

        foreach (var ms in new[] { 14, 10, 13, 11, 12 }) limit.OnSample(epoch, Ms(ms));
        Assert.False(limit.Measuring);
        Assert.Equal(Ms(12), limit.MinRtt); // the 50th percentile, nearest rank
        Assert.Equal(3, limit.Limit);
        Assert.NotEqual(epoch, limit.Epoch);
    }

    [Fact]
    public void Limit_Grows_ByGradientAndHeadroom_WhileLatencyStaysNearMinRtt_AndDemandFillsIt()
    {
        var limit = Limit(fixedMinRtt: Ms(10));
        Assert.False(limit.Measuring);

        // gradient = 10 ms × 1.25 / 10 ms = 1.25; 3 × 1.25 = 3.75, plus √3.75 = 5.69 → 5; then 6.25 + 2.5 → 8.
        RunWindow(limit, Ms(10));
        Assert.Equal(5, limit.Limit);
        Assert.Equal(1.25, limit.Gradient, 3);
        RunWindow(limit, Ms(10));
        Assert.Equal(8, limit.Limit);
    }

    [Fact]
    public void Limit_DoesNotGrow_WhenDemandUsesLessThanHalfOfIt()
    {
        var limit = Limit(fixedMinRtt: Ms(10));
        for (var i = 0; i < 5; i++) RunWindow(limit, Ms(10), saturated: false);
        Assert.Equal(3, limit.Limit);
        Assert.Equal(5, limit.Updates);
    }

    [Fact]
    public void Limit_Shrinks_WhenLatencyRisesAboveMinRttAndBuffer_AtMostByHalfAWindow()
    {
        var limit = Limit(fixedMinRtt: Ms(10));
        while (limit.Limit < 100) RunWindow(limit, Ms(10));
        var before = limit.Limit;

        RunWindow(limit, Ms(40)); // gradient 12.5 / 40 = 0.31, held at 0.5
        var half = before * 0.5;
        Assert.Equal((int)(half + Math.Sqrt(half)), limit.Limit);
        Assert.Equal(0.5, limit.Gradient, 3);

        // Latency just inside the buffer (10 ms × 1.25) keeps the gradient at 1 or above: no shrinking.
        var steady = limit.Limit;
        RunWindow(limit, Ms(12.5));
        Assert.True(limit.Limit >= steady);
    }

    [Fact]
    public void Limit_SettlesWhereLatencyHoldsIt_UnderSustainedQueueing()
    {
        // A backend that serves 20 at once in 10 ms: latency grows with every request past 20.
        var limit = Limit(fixedMinRtt: Ms(10));
        for (var i = 0; i < 200; i++)
        {
            var latency = Ms(10 * Math.Max(1.0, limit.Limit / 20.0));
            RunWindow(limit, latency);
        }

        Assert.InRange(limit.Limit, 20, 60);
    }

    [Fact]
    public void MinRtt_IsMeasuredAgain_AfterFiveWindowsAtTheMinimumLimit()
    {
        var limit = Limit();
        for (var i = 0; i < 5; i++) limit.OnSample(limit.Epoch, Ms(10));
        Assert.False(limit.Measuring);

        for (var i = 0; i < GradientLimit.WindowsAtMinimumBeforeMeasuring - 1; i++)
        {
            RunWindow(limit, Ms(100));
            Assert.Equal(3, limit.Limit);
            Assert.False(limit.Measuring);
        }

        RunWindow(limit, Ms(100));
        Assert.True(limit.Measuring);
    }

    [Fact]
    public void MinRtt_IsMeasuredAgain_AfterMinRttInterval_AndTheLimitComesBackAfterwards()
    {
        var limit = Limit(minConcurrency: 2);
        for (var i = 0; i < 5; i++) limit.OnSample(limit.Epoch, Ms(10));
        for (var i = 0; i < 10; i++) RunWindow(limit, Ms(10));
        var grown = limit.Limit;
        Assert.True(grown > 10);

        _time.Advance(TimeSpan.FromSeconds(60));
        RunWindow(limit, Ms(10));
        Assert.True(limit.Measuring);
        Assert.Equal(2, limit.Limit);

        for (var i = 0; i < 5; i++) limit.OnSample(limit.Epoch, Ms(20));
        Assert.False(limit.Measuring);
        Assert.Equal(Ms(20), limit.MinRtt);
        Assert.True(limit.Limit >= grown, $"limit {limit.Limit} after the measurement, {grown} before");
    }

    [Theory]
    [InlineData(10, 10, 9, 5)]
    [InlineData(3, 3, 3, 2)]
    [InlineData(1, 1, 1, 1)]
    public void Allowed_IsEachPrioritysShareOfTheLimit(int minConcurrency, int high, int normal, int low)
    {
        var limit = Limit(fixedMinRtt: Ms(10), minConcurrency: minConcurrency);
        Assert.Equal((high, normal, low),
            (limit.Allowed(RequestPriority.High), limit.Allowed(RequestPriority.Normal), limit.Allowed(RequestPriority.Low)));
    }
}
