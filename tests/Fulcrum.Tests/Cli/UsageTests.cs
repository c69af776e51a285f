using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Cli;

public sealed class UsageTests
{
    [Theory]
    [InlineData("no-such-command")]
    [InlineData("run")]
    [InlineData("validate")]
    [InlineData("run", "-c", "x.yaml", "--drain-timeout", "soon")]
    [InlineData("demo", "--port", "70000")]
    public async Task BadUsage_ExitsTwo_WithAMessageOnStderr(params string[] args)
    {
        var (code, process) = await FulcrumProcess.RunToEndAsync(args);
        await using var _ = process;

        Assert.True(code == 2, process.Output);
        Assert.NotEmpty(process.StderrLines);
    }

    [Fact]
    public async Task Help_ListsEveryCommand_AndExitsZero()
    {
        var (code, process) = await FulcrumProcess.RunToEndAsync("--help");
        await using var _ = process;

        Assert.True(code == 0, process.Output);
        foreach (var command in new[] { "run", "validate", "demo" })
        {
            Assert.Contains(process.StdoutLines, l => l.TrimStart().StartsWith(command + " ", StringComparison.Ordinal));
        }
    }
}
