using System.Net;
using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Run;

public sealed class ReloadTests
{
    [Fact]
    public async Task Sighup_AppliesTheChangedFile_AsTheNextGeneration()
    {
        await using var backends = await Backends.StartAsync(2);
        using var file = new ConfigFile(ConfigFile.Yaml(backends[0]));
        // --no-watch: only the signal may cause this reload.
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path, "--no-watch");
        var url = await fulcrum.WaitForListenerAsync();
        using var client = TestHttp.CreateClient();
        Assert.Equal("b1", (await TestHttp.GetAsync(client, url)).Body);

        file.Overwrite(ConfigFile.Yaml(backends[1]));
        fulcrum.Signal(Posix.SIGHUP);

        await fulcrum.WaitForLineAsync(new Regex(@"reload applied: generation 2 .*\(Signal\)"));
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal((HttpStatusCode.OK, "b2"), await TestHttp.GetAsync(client, url));
        }
    }

    [Fact]
    public async Task BadFile_IsRejected_WithItsLocation_AndTheRunningConfigKeepsServing()
    {
        await using var backends = await Backends.StartAsync(2);
        using var file = new ConfigFile(ConfigFile.Yaml(backends[0]));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path, "--no-watch");
        var url = await fulcrum.WaitForListenerAsync();
        using var client = TestHttp.CreateClient();

        file.Overwrite(ConfigFile.Yaml([(backends[1], 1)], algorithm: "no-such-algorithm"));
        fulcrum.Signal(Posix.SIGHUP);

        await fulcrum.WaitForLineAsync(new Regex(@"reload rejected: .*still serving generation 1"));
        await fulcrum.WaitForLineAsync(new Regex($@"{Regex.Escape(file.Path)}:9:\d+: "));
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal((HttpStatusCode.OK, "b1"), await TestHttp.GetAsync(client, url));
        }

        // A rejected file does not jam the reloader: the next good one applies.
        file.Overwrite(ConfigFile.Yaml(backends[1]));
        fulcrum.Signal(Posix.SIGHUP);
        await fulcrum.WaitForLineAsync(new Regex(@"reload applied: generation 2\b"));
        Assert.Equal((HttpStatusCode.OK, "b2"), await TestHttp.GetAsync(client, url));
    }

    [Fact]
    public async Task ChangedFile_IsReloaded_WithoutASignal()
    {
        await using var backends = await Backends.StartAsync(2);
        using var file = new ConfigFile(ConfigFile.Yaml(backends[0]));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();
        using var client = TestHttp.CreateClient();
        Assert.Equal("b1", (await TestHttp.GetAsync(client, url)).Body);

        file.Overwrite(ConfigFile.Yaml(backends[1]));

        await fulcrum.WaitForLineAsync(new Regex(@"reload applied: generation 2 .*\(FileChange\)"));
        Assert.Equal((HttpStatusCode.OK, "b2"), await TestHttp.GetAsync(client, url));
    }

    [Fact]
    public async Task ReplacedFile_IsReloaded_WhenSavedByRename()
    {
        await using var backends = await Backends.StartAsync(2);
        using var file = new ConfigFile(ConfigFile.Yaml(backends[0]));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();
        using var client = TestHttp.CreateClient();

        file.ReplaceAtomically(ConfigFile.Yaml(backends[1]));

        await fulcrum.WaitForLineAsync(new Regex(@"reload applied: generation 2 .*\(FileChange\)"));
        Assert.Equal((HttpStatusCode.OK, "b2"), await TestHttp.GetAsync(client, url));
    }
}
