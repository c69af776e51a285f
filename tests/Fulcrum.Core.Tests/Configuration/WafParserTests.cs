using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

public sealed class WafParserTests
{
    private static ConfigLoadResult Load(string waf, string file = "f.yaml") => ConfigLoader.LoadText($$"""
        listeners:
          - name: web
            bind: 127.0.0.1:8080
            routes:
              - pool: app
                waf: {{waf}}
        pools:
          - name: app
            backends: [ { address: 127.0.0.1:9001 } ]
        """, file);

    private static WafConfig Read(string waf, string file = "f.yaml")
    {
        var result = Load(waf, file);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Config!.Listeners[0].Routes[0].Waf!;
    }

    [Fact]
    public void EveryKey_IsRead()
    {
        var waf = Read("{ mode: block, paranoia: 2, anomaly-threshold: 10, allowed-methods: [GET, POST, PROPFIND], exclude-rules: [942100, 920000-920999], body-limit: 1MiB, body-over-limit: inspect-partial, crs: /opt/crs, crs-setup: /opt/crs/crs-setup.conf }");
        Assert.Equal((WafMode.Block, 2, 10, 1L << 20, WafBodyOverLimit.InspectPartial, "/opt/crs", "/opt/crs/crs-setup.conf"),
            (waf.Mode, waf.Paranoia, waf.AnomalyThreshold, waf.BodyLimit, waf.OverLimit, waf.Crs, waf.CrsSetup));
        Assert.Equal([new WafRuleRange(942100, 942100), new WafRuleRange(920000, 920999)], waf.ExcludeRules.ToArray());
        Assert.Equal(["GET", "POST", "PROPFIND"], waf.AllowedMethods.ToArray());
        Assert.Equal("f.yaml", waf.Location.File);
    }

    [Fact]
    public void Defaults_AreDetectAtParanoiaOne_WithDebiansCrs()
    {
        var waf = Read("{}");
        Assert.Equal((WafMode.Detect, 1, 5, 128L * 1024, WafBodyOverLimit.Reject, "/usr/share/modsecurity-crs", "/etc/modsecurity/crs/crs-setup.conf"),
            (waf.Mode, waf.Paranoia, waf.AnomalyThreshold, waf.BodyLimit, waf.OverLimit, waf.Crs, waf.CrsSetup));
        Assert.Empty(waf.ExcludeRules);
        Assert.Equal(["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"], waf.AllowedMethods.ToArray());
    }

    [Theory]
    [InlineData("block", WafMode.Block)]
    [InlineData("detect", WafMode.Detect)]
    [InlineData("off", WafMode.Off)]
    public void AWord_IsTheMode(string word, WafMode mode) => Assert.Equal(mode, Read(word).Mode);

    [Fact]
    public void RelativePaths_AreRelativeToTheConfigFile()
    {
        var waf = Read("{ crs: crs, crs-setup: ../setup/crs-setup.conf }", "/etc/fulcrum/fulcrum.yaml");
        Assert.Equal(("/etc/fulcrum/crs", "/etc/setup/crs-setup.conf"), (waf.Crs, waf.CrsSetup));
    }

    [Theory]
    [InlineData("{ mode: blok }", "f.yaml:6:22: unknown mode 'blok'; did you mean 'block'?")]
    [InlineData("blocking", "f.yaml:6:14: unknown waf mode 'blocking'")]
    [InlineData("{ paranoia: 5 }", "f.yaml:6:26: 'paranoia' must be")]
    [InlineData("{ anomaly-threshold: 0 }", "f.yaml:6:35: 'anomaly-threshold' must be")]
    [InlineData("{ exclude-rules: [942100, abc] }", "f.yaml:6:40: 'exclude-rules' takes rule ids (942100) or ranges of them (942100-942199), not 'abc'")]
    [InlineData("{ exclude-rules: [942199-942100] }", "f.yaml:6:32: 'exclude-rules' takes rule ids")]
    [InlineData("{ allowed-methods: [GET, post] }", "f.yaml:6:39: 'allowed-methods' takes method names in capitals, like GET or PATCH, not 'post'")]
    [InlineData("{ body-limit: 0 }", "f.yaml:6:28: 'body-limit' must be more than 0 and at most 1GiB")]
    [InlineData("{ body-limit: 2GiB }", "f.yaml:6:28: 'body-limit' must be more than 0 and at most 1GiB")]
    [InlineData("{ body-over-limit: drop }", "f.yaml:6:33: unknown body-over-limit 'drop'")]
    [InlineData("{ paranoya: 2 }", "f.yaml:6:16: unknown key 'paranoya' in waf; did you mean 'paranoia'?")]
    public void Mistakes_AreNamedAtTheirPlace(string waf, string error)
    {
        var result = Load(waf);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.ToString().StartsWith(error, StringComparison.Ordinal));
    }
}
