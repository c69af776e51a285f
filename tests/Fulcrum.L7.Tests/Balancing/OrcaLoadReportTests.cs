using Fulcrum.L7.Filters;

namespace Fulcrum.L7.Tests.Balancing;

/// <summary>A load report comes from a backend: whatever it says, the parser answers yes with a sane value or no, never throws.</summary>
public sealed class OrcaLoadReportTests
{
    [Theory]
    [InlineData("TEXT cpu_utilization=0.5, rps_fractional=12", 0.5, 12)]
    [InlineData("JSON {\"cpu_utilization\": 0.2, \"application_utilization\": 0.7}", 0.7, -1)]
    [InlineData("text cpu_utilization = 0.25", 0.25, -1)]
    public void WellFormedReports_AreRead(string value, double utilization, double rps)
    {
        Assert.True(OrcaLoadReport.TryParse(value, out var report));
        Assert.Equal(utilization, report.Utilization, 6);
        Assert.Equal(rps, report.RequestsPerSecond, 6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("TEXT")]
    [InlineData("TEXT =,,=,cpu_utilization")]
    [InlineData("TEXT cpu_utilization=NaN")]
    [InlineData("TEXT cpu_utilization=1e999")]
    [InlineData("TEXT cpu_utilization=-1")]
    [InlineData("JSON {\"cpu_utilization\": 1e999}")]
    [InlineData("JSON {\"cpu_utilization\": -0.5}")]
    [InlineData("JSON [1, 2]")]
    [InlineData("JSON {")]
    [InlineData("JSON {\"cpu_utilization\": \"0.5\"}")]
    [InlineData("BIN CgkJAAAAAAAA4D8=")]
    [InlineData("cpu_utilization=0.5")]
    public void HostileOrMalformedReports_AreRefused_WithoutThrowing(string value)
    {
        Assert.False(OrcaLoadReport.TryParse(value, out _));
    }

    [Fact]
    public void AHugeReport_IsRefusedOrRead_WithoutThrowing()
    {
        var value = "TEXT " + string.Join(", ", Enumerable.Repeat("x=1", 100_000)) + ", cpu_utilization=0.3";
        Assert.True(OrcaLoadReport.TryParse(value, out var report));
        Assert.Equal(0.3, report.Utilization, 6);
    }
}
