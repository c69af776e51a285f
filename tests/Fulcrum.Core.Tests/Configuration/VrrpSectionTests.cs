using System.Net;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

/// <summary>The `vrrp:` and `shutdown:` sections: what they hold, their defaults, and each mistake at its place.</summary>
public sealed class VrrpSectionTests
{
    private const string Minimal = """
        vrrp:
          virtual-router-id: 51
          interface: eth0
          virtual-ips: 192.0.2.100/24
          nodes:
            - { name: lb-1, priority: 150 }
            - { name: lb-2 }
        """;

    [Fact]
    public void MinimalSection_TakesTheDocumentedDefaults()
    {
        var vrrp = ConfigAssert.Valid(Minimal).Vrrp!;

        Assert.Equal(51, vrrp.VirtualRouterId);
        Assert.Equal("eth0", vrrp.Interface);
        Assert.Equal(new VirtualIp(IPAddress.Parse("192.0.2.100"), 24), Assert.Single(vrrp.VirtualIps));
        Assert.Equal(TimeSpan.FromMilliseconds(100), vrrp.AdvertInterval);
        Assert.Equal(3, vrrp.DownTimerAdverts);
        Assert.True(vrrp.Preempt);
        Assert.False(vrrp.Unicast);
        Assert.False(vrrp.LoopbackVip);
        Assert.Equal("/run/fulcrum/vrrp-state", vrrp.StateFile);
        Assert.Equal("fulcrum-serving", vrrp.ProcessName);
        Assert.Equal([("lb-1", 150), ("lb-2", 100)], vrrp.Nodes.Select(n => (n.Name, n.Priority)));
    }

    [Fact]
    public void EveryKey_IsRead()
    {
        var vrrp = ConfigAssert.Valid("""
            vrrp:
              virtual-router-id: 7
              interface: ens3
              virtual-ips: [ 198.51.100.10, 198.51.100.11/28 ]
              advert-interval: 1.5s
              down-timer-adverts: 5
              preempt: false
              unicast: true
              loopback-vip: true
              state-file: /var/run/fulcrum-a/state
              process-name: fulcrum-a
              nodes:
                - { name: a, address: 198.51.100.2, priority: 200, interface: ens4 }
                - { name: b, address: 198.51.100.3 }
            """).Vrrp!;

        Assert.Equal(["198.51.100.10/32", "198.51.100.11/28"], vrrp.VirtualIps.Select(v => v.ToString()));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), vrrp.AdvertInterval);
        Assert.Equal(5, vrrp.DownTimerAdverts);
        Assert.False(vrrp.Preempt);
        Assert.True(vrrp.Unicast);
        Assert.True(vrrp.LoopbackVip);
        Assert.Equal("/var/run/fulcrum-a/state", vrrp.StateFile);
        Assert.Equal("fulcrum-a", vrrp.ProcessName);
        Assert.Equal(IPAddress.Parse("198.51.100.2"), vrrp.Nodes[0].Address);
        Assert.Equal("ens4", vrrp.Nodes[0].Interface);
        Assert.Null(vrrp.Nodes[1].Interface);
    }

    [Theory]
    [InlineData("advert-interval: 15ms", 2, 20, "'advert-interval' must be from 10ms to 40.95s in steps of 10ms (VRRPv3 counts centiseconds), not '15ms'")]
    [InlineData("advert-interval: 41s", 2, 20, "'advert-interval' must be from 10ms to 40.95s in steps of 10ms (VRRPv3 counts centiseconds), not '41s'")]
    [InlineData("down-timer-adverts: 0", 2, 23, "'down-timer-adverts' must be from 1 to 100, not 0")]
    [InlineData("process-name: fulcrum-on-lb-one", 2, 17, "'process-name' must be 1 to 15 letters, digits, '-', '_' or '.' (the kernel keeps 15 bytes of a process name), not 'fulcrum-on-lb-one'")]
    [InlineData("preempt: no", 2, 12, "'preempt' must be true or false, not 'no'")]
    public void BadValue_IsReportedAtIt(string line, int atLine, int column, string message)
    {
        ConfigAssert.OneError(Minimal.Replace("  virtual-router-id: 51", "  " + line + "\n  virtual-router-id: 51", StringComparison.Ordinal), atLine, column, message);
    }

    [Theory]
    [InlineData("virtual-router-id: 0", "'virtual-router-id' must be from 1 to 255, not 0")]
    [InlineData("interface: a-very-long-name0", "'interface' must be a network interface name (1 to 15 bytes, no '/', ':' or spaces), not 'a-very-long-name0'")]
    [InlineData("virtual-ips: 2001:db8::10/64", "virtual IP '2001:db8::10/64' is IPv6; only IPv4 virtual IPs are supported")]
    [InlineData("virtual-ips: 192.0.2.100/33", "'virtual-ips' must hold IPv4 addresses with an optional prefix length, like 192.0.2.10/24, not '192.0.2.100/33'")]
    [InlineData("virtual-ips: vip.example", "'virtual-ips' must hold IPv4 addresses with an optional prefix length, like 192.0.2.10/24, not 'vip.example'")]
    public void BadRequiredValue_IsReportedAtIt(string replacement, string message)
    {
        var key = replacement[..replacement.IndexOf(':', StringComparison.Ordinal)];
        var lines = Minimal.Split('\n');
        var index = Array.FindIndex(lines, l => l.TrimStart().StartsWith(key + ":", StringComparison.Ordinal));
        lines[index] = "  " + replacement;
        ConfigAssert.OneError(string.Join('\n', lines), index + 1, key.Length + 5, message);
    }

    [Fact]
    public void Unicast_NeedsEveryNodesAddress()
    {
        ConfigAssert.OneError(Minimal.Replace("virtual-ips: 192.0.2.100/24", "virtual-ips: 192.0.2.100/24\n  unicast: true", StringComparison.Ordinal)
                .Replace("{ name: lb-1, priority: 150 }", "{ name: lb-1, priority: 150, address: 192.0.2.11 }", StringComparison.Ordinal),
            8, 7, "vrrp node 'lb-2' needs an 'address' with 'unicast: true': the other nodes send their adverts to it");
    }

    [Fact]
    public void SecondChance_IsOffByDefault_AndNeedsLoopbackVipTwoNodesAndTheirAddresses()
    {
        Assert.False(ConfigAssert.Valid(Minimal).Vrrp!.SecondChance);
        var on = Minimal.Replace("virtual-ips: 192.0.2.100/24", "virtual-ips: 192.0.2.100/24\n  loopback-vip: true\n  second-chance: true", StringComparison.Ordinal)
            .Replace("{ name: lb-1, priority: 150 }", "{ name: lb-1, priority: 150, address: 192.0.2.11 }", StringComparison.Ordinal)
            .Replace("{ name: lb-2 }", "{ name: lb-2, address: 192.0.2.12 }", StringComparison.Ordinal);
        Assert.True(ConfigAssert.Valid(on).Vrrp!.SecondChance);

        Assert.Equal(
        [
            "fulcrum.yaml:2:3: 'second-chance: true' needs 'loopback-vip: true': the node a stray packet goes to must still accept it for the virtual IP",
            "fulcrum.yaml:2:3: 'second-chance: true' needs exactly two nodes (there are 3): a stray packet goes to the other one",
            "fulcrum.yaml:9:7: vrrp node 'c' needs an 'address' with 'second-chance: true': the other node sends stray packets to it",
        ], ConfigAssert.Errors(on.Replace("  loopback-vip: true\n", "", StringComparison.Ordinal) + "\n    - { name: c }\n"));
    }

    [Fact]
    public void NodeMistakes_AreReportedAtTheNode()
    {
        var errors = ConfigAssert.Errors("""
            vrrp:
              virtual-router-id: 51
              interface: eth0
              virtual-ips: [ 192.0.2.100/24, 192.0.2.100 ]
              nodes:
                - { name: a, address: 192.0.2.11, priority: 255 }
                - { name: a, address: 192.0.2.11 }
                - { name: c, address: 192.0.2.100, weight: 3 }
            """);

        Assert.Equal(
        [
            "fulcrum.yaml:4:34: virtual IP 192.0.2.100 is listed twice",
            "fulcrum.yaml:6:49: 'priority' must be from 1 to 254, not 255",
            "fulcrum.yaml:7:7: duplicate vrrp node name 'a' (first at line 6)",
            "fulcrum.yaml:7:7: vrrp node 'a' has the address 192.0.2.11 of node 'a'",
            "fulcrum.yaml:8:7: vrrp node 'c' has the virtual IP 192.0.2.100 as its own address; a node's address stays with it, the virtual IP moves",
            "fulcrum.yaml:8:40: unknown key 'weight' in vrrp node",
        ], errors);
    }

    [Fact]
    public void MissingKeys_AreNamed_AndNodesMayNotBeEmpty()
    {
        Assert.Equal(
        [
            "fulcrum.yaml:2:3: vrrp is missing required key 'interface'",
            "fulcrum.yaml:2:3: vrrp is missing required key 'virtual-ips'",
            "fulcrum.yaml:2:3: vrrp is missing required key 'nodes'",
        ], ConfigAssert.Errors("vrrp:\n  virtual-router-id: 51\n"));
        ConfigAssert.OneError("vrrp:\n  virtual-router-id: 51\n  interface: eth0\n  virtual-ips: 192.0.2.1\n  nodes: []\n", 5, 10,
            "'nodes' must list the machines that share the virtual IP");
    }

    [Fact]
    public void RelativeStateFile_IsTheConfigFilesNeighbour()
    {
        var directory = Directory.CreateTempSubdirectory("fulcrum-vrrp-").FullName;
        try
        {
            var file = Path.Combine(directory, "fulcrum.yaml");
            File.WriteAllText(file, Minimal + "\n  state-file: state/vrrp\n");
            var result = ConfigLoader.LoadFile(file);
            Assert.True(result.IsValid, string.Join("\n", result.Errors));
            Assert.Equal(Path.Combine(directory, "state", "vrrp"), result.Config!.Vrrp!.StateFile);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Shutdown_AcceptGrace_DefaultsToZero_AndReadsADuration()
    {
        Assert.Equal(TimeSpan.Zero, ConfigAssert.Valid("pools: [ { name: a } ]\n").Shutdown.AcceptGrace);
        Assert.Equal(TimeSpan.FromSeconds(2), ConfigAssert.Valid("shutdown:\n  accept-grace: 2s\npools: [ { name: a } ]\n").Shutdown.AcceptGrace);
        ConfigAssert.OneError("shutdown:\n  accept-grace: soon\n", 2, 17,
            "'accept-grace' must be a duration like 500ms, 10s, 5m or 1h, not 'soon'");
    }
}
