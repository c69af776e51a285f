using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Run;

/// <summary>The admin surface of a real process: an open admin API is refused at start, and the token never reaches the log.</summary>
public sealed class AdminSurfaceProcessTests
{
    [Theory]
    [InlineData("validate")]
    [InlineData("run")]
    public async Task NonLoopbackAdminBind_WithoutAToken_ExitsTwo_SayingWhyAtTheBind(string command)
    {
        await using var backends = await Backends.StartAsync(1);
        using var file = new ConfigFile("admin:\n  bind: 0.0.0.0:0\n" + ConfigFile.Yaml(backends.All));

        var (code, process) = await FulcrumProcess.RunToEndAsync(command, "-c", file.Path);
        await using var _ = process;

        Assert.True(code == 2, process.Output);
        var error = Assert.Single(process.StderrLines, l => l.StartsWith(file.Path + ":", StringComparison.Ordinal));
        Assert.StartsWith($"{file.Path}:2:9: admin.bind 0.0.0.0:0 is reachable from other hosts", error);
        Assert.Contains("admin.token", error);
        Assert.DoesNotContain(process.StdoutLines, l => l.Contains("serving on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_WithAToken_OnEveryAddress_Serves_AndNeverLogsTheTokenOrAGuess()
    {
        const string Token = "tok-5c1e9a-never-logged";
        await using var backends = await Backends.StartAsync(1);
        var yaml = $"admin:\n  bind: 0.0.0.0:0\n  token: {Token}\n" + ConfigFile.Yaml(backends.All);
        using var file = new ConfigFile(yaml);
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        await fulcrum.WaitForListenerAsync();
        var port = new Uri((await fulcrum.WaitForLineAsync(new Regex(@"admin API serving on (\S+)"))).Groups[1].Value).Port;
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = Poll.Deadline };

        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "guess-82b4f0-never-logged");
        using (var denied = await admin.GetAsync("api/pools")) Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using (var pools = await admin.GetAsync("api/pools")) Assert.Equal(HttpStatusCode.OK, pools.StatusCode);

        // A reload the config refuses, with the token's line among the errors, is logged with its FILE:LINE:COL only.
        file.Overwrite(yaml.Replace($"token: {Token}", $"token: \"{Token} x\"", StringComparison.Ordinal));
        using (var reload = await admin.PostAsync("api/reload", null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, reload.StatusCode);
            Assert.DoesNotContain(Token, await reload.Content.ReadAsStringAsync());
        }

        await fulcrum.WaitForLineAsync(new Regex(@"reload rejected"));
        Assert.DoesNotContain(Token, fulcrum.Output);
        Assert.DoesNotContain("guess-82b4f0", fulcrum.Output);
    }
}
