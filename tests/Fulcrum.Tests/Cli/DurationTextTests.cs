using Fulcrum.Commands;

namespace Fulcrum.Tests.Cli;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    public void TryParse_ReadsConfigStyleDurations(string text, int milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("s")]
    [InlineData("10 s")]
    [InlineData("-1s")]
    [InlineData("3d")]
    public void TryParse_RejectsWhatIsNotADuration(string text)
    {
        Assert.False(DurationText.TryParse(text, out _));
    }
}
