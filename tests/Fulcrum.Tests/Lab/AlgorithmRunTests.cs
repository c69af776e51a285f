using Fulcrum.Lab;

namespace Fulcrum.Tests.Lab;

public sealed class AlgorithmRunTests
{
    [Fact]
    public void Percentiles_AreNearestRank_OverSuccessfulRequestsOnly()
    {
        var requests = new List<RequestSample>();
        for (var i = 1; i <= 100; i++)
        {
            requests.Add(new RequestSample(i, i, i % 4 == 0 ? "slow" : "fast", 200));
        }

        // A failed request's latency (a 10 s timeout) must not become the p99.
        requests.Add(new RequestSample(101, 10_000, "", 0));
        var run = new AlgorithmRun("round-robin", TimeSpan.FromSeconds(2), requests, []);

        Assert.Equal(50, run.P50Ms);
        Assert.Equal(99, run.P99Ms);
        Assert.Equal(1, run.Errors);
        Assert.Equal(100, run.Succeeded);
        Assert.Equal(50, run.RequestsPerSecond);
        Assert.Equal(0.25, run.ShareOf("slow"));
    }

    [Fact]
    public void SvgChart_EscapesLabels_AndDrawsOneBarPerValue()
    {
        var svg = SvgChart.Bars("p99 <ms>", "ms", ["a&b", "c"], [1.5, 3]);

        Assert.StartsWith("<svg ", svg, StringComparison.Ordinal);
        Assert.Contains("a&amp;b", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("<ms>", svg, StringComparison.Ordinal);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(svg, "<rect "));
    }
}
