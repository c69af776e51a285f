using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Cli;

public sealed class ValidateCommandTests
{
    [Fact]
    public async Task Validate_GoodFile_PrintsOk_AndExitsZero()
    {
        await using var backends = await Backends.StartAsync(2);
        using var file = new ConfigFile(ConfigFile.Yaml(backends.All));

        var (code, process) = await FulcrumProcess.RunToEndAsync("validate", "-c", file.Path);
        await using var _ = process;

        Assert.True(code == 0, process.Output);
        Assert.Contains($"{file.Path}: ok", process.StdoutLines);
    }

    [Fact]
    public async Task Validate_BadFile_PrintsFileLineColumnPerError_OnStderr_AndExitsTwo()
    {
        // Two mistakes: an unknown algorithm (line 9) and a route to a pool that does not exist (line 6).
        using var file = new ConfigFile("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes:
                  - pool: nowhere
            pools:
              - name: app
                algorithm: no-such-algorithm
                backends:
                  - { address: 127.0.0.1:9 }
            """);

        var (code, process) = await FulcrumProcess.RunToEndAsync("validate", "-c", file.Path);
        await using var _ = process;

        Assert.True(code == 2, process.Output);
        var location = new Regex($@"^{Regex.Escape(file.Path)}:(\d+):(\d+): \S");
        Assert.NotEmpty(process.StderrLines);
        Assert.All(process.StderrLines, line => Assert.Matches(location, line));
        var lines = process.StderrLines.Select(l => int.Parse(location.Match(l).Groups[1].Value)).ToHashSet();
        Assert.Contains(9, lines);
        Assert.Contains(6, lines);
        Assert.DoesNotContain(process.StdoutLines, l => l.EndsWith(": ok", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_MissingFile_ExitsTwo_WithTheFileNamed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fulcrum-missing-{Guid.NewGuid():N}.yaml");

        var (code, process) = await FulcrumProcess.RunToEndAsync("validate", "-c", path);
        await using var _ = process;

        Assert.True(code == 2, process.Output);
        Assert.Contains(process.StderrLines, l => l.StartsWith(path + ":", StringComparison.Ordinal));
    }
}
