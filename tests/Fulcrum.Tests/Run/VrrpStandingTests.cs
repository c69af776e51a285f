using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Run;

/// <summary>
/// What `fulcrum run` tells keepalived through the vrrp section: the state file (0 serving, 1 yielding) and the process
/// name that keepalived's track_process looks for; visible in GET /api/vrrp and in /metrics.
/// </summary>
public sealed class VrrpStandingTests
{
    [Fact]
    public async Task Run_WritesZero_TakesTheProcessName_AndOnSigtermYieldsAtOnce_WhileTheListenerStillAccepts()
    {
        await using var backends = await Backends.StartAsync(1);
        var name = "fv" + Guid.NewGuid().ToString("N")[..10];
        using var file = new ConfigFile("");
        var state = Path.Combine(file.Directory, "run", "vrrp-state");
        file.Overwrite(Vrrp(state, name, acceptGrace: "3s") + ConfigFile.Yaml(backends.All));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();
        using var admin = await AdminAsync(fulcrum);
        await fulcrum.WaitForLineAsync(new Regex($"vrrp: process name is now {name}"));

        Assert.Equal("0", File.ReadAllText(state).Trim());
        Assert.Equal(name, File.ReadAllText($"/proc/{fulcrum.Id}/comm").Trim());
        var view = await admin.GetStringAsync("api/vrrp");
        Assert.Contains("\"standing\":\"serving\"", view, StringComparison.Ordinal);
        Assert.Contains("\"tracked\":true", view, StringComparison.Ordinal);
        Assert.Contains("fulcrum_vrrp_yielding 0", await admin.GetStringAsync("metrics"), StringComparison.Ordinal);

        fulcrum.Signal(Posix.SIGTERM);

        await Poll.UntilAsync(() => File.ReadAllText(state).Trim() == "1", "the state file to say 1 after SIGTERM");
        Assert.Contains("\"reason\":\"draining\"", await admin.GetStringAsync("api/vrrp"), StringComparison.Ordinal);
        using (var healthz = await admin.GetAsync("healthz")) Assert.Equal(HttpStatusCode.ServiceUnavailable, healthz.StatusCode);
        // Within shutdown.accept-grace the listener still takes new connections, and each answer ends its connection.
        using var client = TestHttp.CreateClient();
        using (var response = await client.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.ConnectionClose, "an answer during the accept grace should close its connection");
        }

        Assert.True(await fulcrum.WaitForExitAsync() == 0, fulcrum.Output);
        Assert.Equal("1", File.ReadAllText(state).Trim());
    }

    [Fact]
    public async Task APoolWithoutABackendUp_Yields_AndServesAgainWhenOneReturns()
    {
        await using var backends = await Backends.StartAsync(1);
        using var file = new ConfigFile("");
        var state = Path.Combine(file.Directory, "vrrp-state");
        file.Overwrite(Vrrp(state, "fv" + Guid.NewGuid().ToString("N")[..10], acceptGrace: "0s") + ConfigFile.Yaml(backends.All));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        await fulcrum.WaitForListenerAsync();
        using var admin = await AdminAsync(fulcrum);
        await fulcrum.WaitForLineAsync(new Regex("vrrp: process name is now"));
        Assert.Equal("0", File.ReadAllText(state).Trim());

        // The operator takes the pool's only backend out: this node can no longer serve the pool.
        using (var r = await admin.PostAsync("api/pools/app/backends/b1/maintenance", null)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        await Poll.UntilAsync(() => File.ReadAllText(state).Trim() == "1", "the state file to say 1");
        using (var view = JsonDocument.Parse(await admin.GetStringAsync("api/vrrp")))
        {
            Assert.Equal("yielding", view.RootElement.GetProperty("standing").GetString());
            Assert.Equal("no backend up in pool 'app'", view.RootElement.GetProperty("reason").GetString());
        }

        await fulcrum.WaitForLineAsync(new Regex(@"vrrp: yielding \(no backend up in pool 'app'\)"));
        Assert.Contains("fulcrum_vrrp_yielding 1", await admin.GetStringAsync("metrics"), StringComparison.Ordinal);

        using (var r = await admin.PostAsync("api/pools/app/backends/b1/ready", null)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        await Poll.UntilAsync(() => File.ReadAllText(state).Trim() == "0", "the state file to say 0 again");
        // The count follows the file's rename a moment later (a failed write is not a change).
        await Poll.UntilAsync(async () => (await admin.GetStringAsync("metrics")).Contains("fulcrum_vrrp_state_changes_total 2", StringComparison.Ordinal),
            "the metric to count both changes");
    }

    [Fact]
    public async Task WithoutAVrrpSection_ApiVrrpIs404_AndNothingIsWritten()
    {
        await using var backends = await Backends.StartAsync(1);
        using var file = new ConfigFile("admin:\n  bind: 127.0.0.1:0\n" + ConfigFile.Yaml(backends.All));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        await fulcrum.WaitForListenerAsync();
        using var admin = await AdminAsync(fulcrum);

        using var response = await admin.GetAsync("api/vrrp");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotMatch(new Regex("(?m)^fulcrum_vrrp_yielding "), await admin.GetStringAsync("metrics"));
        Assert.NotEqual("fulcrum-serving", File.ReadAllText($"/proc/{fulcrum.Id}/comm").Trim());
    }

    private static string Vrrp(string stateFile, string processName, string acceptGrace) => $"""
        admin:
          bind: 127.0.0.1:0
          token: t0ken
        shutdown:
          accept-grace: {acceptGrace}
        vrrp:
          virtual-router-id: 51
          interface: eth0
          virtual-ips: 192.0.2.100/24
          state-file: {stateFile}
          process-name: {processName}
          nodes: [ {"{"} name: a {"}"} ]

        """;

    private static async Task<HttpClient> AdminAsync(FulcrumProcess fulcrum)
    {
        var url = (await fulcrum.WaitForLineAsync(new Regex(@"admin API serving on (\S+)"))).Groups[1].Value;
        var admin = new HttpClient { BaseAddress = new Uri(url + "/"), Timeout = Poll.Deadline };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "t0ken");
        return admin;
    }
}
