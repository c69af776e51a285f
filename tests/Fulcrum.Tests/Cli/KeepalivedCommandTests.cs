using System.Diagnostics;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Cli;

/// <summary>`fulcrum keepalived`: a node's keepalived.conf from the vrrp section, checked by keepalived itself.</summary>
public sealed class KeepalivedCommandTests
{
    private const string Pools = """
        pools:
          - name: app
            backends: [ { address: 127.0.0.1:9 } ]

        """;

    private const string Preempting = """
        vrrp:
          virtual-router-id: 51
          interface: eth0
          virtual-ips: [ 192.0.2.100/24, 192.0.2.101/24 ]
          unicast: true
          loopback-vip: true
          state-file: /run/fulcrum/vrrp-state
          nodes:
            - { name: lb-1, address: 192.0.2.11, priority: 150 }
            - { name: lb-2, address: 192.0.2.12, priority: 100, interface: ens4 }
            - { name: lb-3, address: 192.0.2.13, priority: 120 }

        """;

    private const string SecondChance = """
        vrrp:
          virtual-router-id: 51
          interface: eth0
          virtual-ips: [ 192.0.2.100/24, 192.0.2.101/24 ]
          loopback-vip: true
          second-chance: true
          nodes:
            - { name: lb-1, address: 192.0.2.11, priority: 150 }
            - { name: lb-2, address: 192.0.2.12, priority: 100, interface: ens4 }

        """;

    [Fact]
    public async Task Keepalived_WritesTheNodesConf_TrackingFulcrumsProcessAndStateFile_AndKeepalivedAcceptsIt()
    {
        using var file = new ConfigFile(Preempting + Pools);

        var text = await WriteAsync(file, "lb-1");

        Assert.Contains("    process fulcrum-serving\n    weight 0\n", text, StringComparison.Ordinal);
        // The span of the priorities plus one: a yielding lb-1 (150 - 51 = 99) falls below every node that serves.
        Assert.Contains("    file \"/run/fulcrum/vrrp-state\"\n    weight -51\n", text, StringComparison.Ordinal);
        Assert.Contains("    vrrp_version 3\n", text, StringComparison.Ordinal);
        Assert.Contains("    state BACKUP\n    interface eth0\n    virtual_router_id 51\n    priority 150\n    advert_int 0.1\n    down_timer_adverts 3\n", text, StringComparison.Ordinal);
        Assert.Contains("    unicast_src_ip 192.0.2.11\n    unicast_peer {\n        192.0.2.12\n        192.0.2.13\n    }\n", text, StringComparison.Ordinal);
        Assert.Contains("    virtual_ipaddress {\n        192.0.2.100/24\n        192.0.2.101/24\n    }\n", text, StringComparison.Ordinal);
        Assert.Contains("static_ipaddress {\n    192.0.2.100/32 dev lo\n    192.0.2.101/32 dev lo\n}\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("nopreempt", text, StringComparison.Ordinal);
        AssertKeepalivedAccepts(text);

        var lb2 = await WriteAsync(file, "lb-2");
        Assert.Contains("    interface ens4\n", lb2, StringComparison.Ordinal);
        Assert.Contains("    unicast_src_ip 192.0.2.12\n    unicast_peer {\n        192.0.2.11\n        192.0.2.13\n    }\n", lb2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keepalived_WithoutPreemption_WritesNopreempt_AndMakesAYieldingStateFileAFault_OverMulticast()
    {
        using var file = new ConfigFile("""
            vrrp:
              virtual-router-id: 7
              interface: eth1
              virtual-ips: 198.51.100.10/24
              advert-interval: 1s
              down-timer-adverts: 5
              preempt: false
              process-name: fulcrum-web
              nodes:
              - { name: a, priority: 200 }
              - { name: b }

            """ + Pools);

        var text = await WriteAsync(file, "b");

        Assert.Contains("    nopreempt\n", text, StringComparison.Ordinal);
        Assert.Contains("    weight 0\n}\n\nvrrp_instance", text.Replace("\n\n# The virtual IPs", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("    process fulcrum-web\n", text, StringComparison.Ordinal);
        Assert.Contains("    advert_int 1\n    down_timer_adverts 5\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("unicast", text, StringComparison.Ordinal);
        Assert.DoesNotContain("static_ipaddress", text, StringComparison.Ordinal);
        AssertKeepalivedAccepts(text);
    }

    [Fact]
    public async Task Keepalived_Out_ReplacesTheFile()
    {
        using var file = new ConfigFile(Preempting + Pools);
        var conf = Path.Combine(file.Directory, "keepalived.conf");
        File.WriteAllText(conf, "old");

        var (code, process) = await FulcrumProcess.RunToEndAsync("keepalived", "-c", file.Path, "--node", "lb-3", "--out", conf);
        await using var _ = process;

        Assert.True(code == 0, process.Output);
        Assert.Contains("    priority 120\n", File.ReadAllText(conf), StringComparison.Ordinal);
        Assert.Contains($"{conf}: keepalived.conf for vrrp node lb-3", process.StdoutLines);
    }

    [Fact]
    public async Task Keepalived_Nftables_WritesSecondChanceRulesHandingStrayPacketsToThePeer_AndNftAcceptsThem()
    {
        using var file = new ConfigFile(SecondChance + Pools);

        var text = await WriteAsync(file, "lb-2", "--nftables");

        Assert.Contains("table ip fulcrum_second_chance {\n", text, StringComparison.Ordinal);
        Assert.Contains("        ct state established,related accept\n        socket wildcard 0 accept\n", text, StringComparison.Ordinal);
        Assert.Contains("        iifname \"ens4\" ip daddr { 192.0.2.100, 192.0.2.101 } tcp flags & syn == 0 ip dscp != cs1 ip dscp set cs1 dup to 192.0.2.11 device \"ens4\" drop\n", text, StringComparison.Ordinal);
        AssertNftAccepts(text, "ens4");
    }

    [Fact]
    public async Task Keepalived_Nftables_WithoutSecondChance_ExitsTwo()
    {
        using var file = new ConfigFile(Preempting + Pools);

        var (code, process) = await FulcrumProcess.RunToEndAsync("keepalived", "-c", file.Path, "--node", "lb-1", "--nftables");
        await using var _ = process;

        Assert.Equal(2, code);
        Assert.Contains($"{file.Path}: --nftables writes the rules of 'second-chance: true', which the vrrp section does not set (docs/ha.md)", process.StderrLines);
    }

    [Fact]
    public async Task Keepalived_UnknownNode_ExitsTwo_NamingTheNodes()
    {
        using var file = new ConfigFile(Preempting + Pools);

        var (code, process) = await FulcrumProcess.RunToEndAsync("keepalived", "-c", file.Path, "--node", "lb-9");
        await using var _ = process;

        Assert.Equal(2, code);
        Assert.Contains($"{file.Path}: no vrrp node 'lb-9'; the nodes are lb-1, lb-2, lb-3 (--node NAME)", process.StderrLines);
    }

    [Fact]
    public async Task Keepalived_WithoutAVrrpSection_ExitsTwo()
    {
        using var file = new ConfigFile(Pools);

        var (code, process) = await FulcrumProcess.RunToEndAsync("keepalived", "-c", file.Path, "--node", "lb-1");
        await using var _ = process;

        Assert.Equal(2, code);
        Assert.Contains($"{file.Path}: no vrrp section; docs/ha.md shows one", process.StderrLines);
    }

    /// <summary>
    /// nft's own check (`-c`) in a network namespace of the test's that has the rules' interface (a veth), since `dup to
    /// ... device` needs one that exists; skipped where the test cannot make namespaces.
    /// </summary>
    private static void AssertNftAccepts(string text, string iface)
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/sbin/nft")) return;
        var ns = $"fulcrum-nft-{Guid.NewGuid():N}"[..24];
        var path = Path.Combine(Path.GetTempPath(), ns + ".nft");
        File.WriteAllText(path, text);
        try
        {
            Run("ip", "netns", "add", ns);
            Run("ip", "-n", ns, "link", "add", iface, "type", "veth", "peer", "name", "peer0");
            var (code, output) = Run("ip", "netns", "exec", ns, "nft", "-c", "-f", path);
            Assert.True(code == 0, $"nft -c exited {code}:\n{output}\n{text}");
        }
        finally
        {
            Run("ip", "netns", "del", ns);
            File.Delete(path);
        }
    }

    private static (int Code, string Output) Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), $"{file} did not end");
        return (process.ExitCode, output + errors.Result);
    }

    // IFF_MULTICAST (linux/if.h): VRRP's adverts go to a multicast group unless peers are listed.
    private static bool IsMulticast(string? name) =>
        Convert.ToInt32(File.ReadAllText($"/sys/class/net/{name}/flags").Trim(), 16) is var flags && (flags & 0x1000) != 0;

    private static async Task<string> WriteAsync(ConfigFile file, string node, params string[] more)
    {
        var (code, process) = await FulcrumProcess.RunToEndAsync(["keepalived", "-c", file.Path, "--node", node, .. more]);
        await using var _ = process;
        Assert.True(code == 0, process.Output);
        return string.Join('\n', process.StdoutLines) + "\n";
    }

    /// <summary>
    /// keepalived's own check (`-t`): exit 0 when it would run the file. It refuses an interface this machine lacks,
    /// so the file's interfaces become one that exists here (the test machine's names are not the config's).
    /// </summary>
    private static void AssertKeepalivedAccepts(string text)
    {
        var local = Directory.GetFileSystemEntries("/sys/class/net").Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .FirstOrDefault(name => name is not "lo" && File.ReadAllText($"/sys/class/net/{name}/type").Trim() == "1" && IsMulticast(name))
            ?? throw new InvalidOperationException("no ethernet interface to check keepalived.conf against");
        text = System.Text.RegularExpressions.Regex.Replace(text, @"(?m)^(    interface) \S+$", $"$1 {local}");
        var path = Path.Combine(Path.GetTempPath(), $"fulcrum-keepalived-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, text);
        try
        {
            using var keepalived = Process.Start(new ProcessStartInfo("keepalived", ["-t", "-f", path]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var errors = keepalived.StandardError.ReadToEndAsync();
            var output = keepalived.StandardOutput.ReadToEnd();
            Assert.True(keepalived.WaitForExit(30_000), "keepalived -t did not end");
            Assert.True(keepalived.ExitCode == 0, $"keepalived -t exited {keepalived.ExitCode}:\n{output}{errors.Result}\n{text}");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
