using Fulcrum.Core.Configuration;
using Fulcrum.L7.Waf;

namespace Fulcrum.L7.Tests.Protection;

/// <summary>Loading the CRS: once per distinct set, shared; and what does not load is a config error at its place.</summary>
public sealed class WafRuleSetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fulcrum-waf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly SourceLocation At = new("fulcrum.yaml", 12, 14);

    [Fact]
    public void ASet_IsLoadedOncePerKey_AndSharedByEveryRouteAndReloadThatAsksForIt()
    {
        var sets = new WafRuleSets();
        var first = sets.Get(new WafConfig { Mode = WafMode.Block, ExcludeRules = [new(920350, 920350), new(942100, 942100)] }, out var error);
        Assert.True(first is not null, error);
        Assert.True(first.Count > 500, $"the CRS should load hundreds of rules, not {first.Count}");

        // Another route, another mode, the same exclusions in another order: the same set.
        Assert.Same(first, sets.Get(new WafConfig { Mode = WafMode.Detect, ExcludeRules = [new(942100, 942100), new(920350, 920350)], BodyLimit = 1 << 20 }, out _));
        // Another paranoia is another set.
        var second = sets.Get(new WafConfig { Paranoia = 2, ExcludeRules = [new(920350, 920350), new(942100, 942100)] }, out _);
        Assert.NotNull(second);
        Assert.NotSame(first, second);
        Assert.Same(first, sets.Get(new WafConfig { ExcludeRules = [new(942100, 942100), new(920350, 920350)] }, out _));
    }

    [Fact]
    public void AnEditedCrsSetup_IsLoadedAgain()
    {
        var setup = Path.Combine(_dir, "crs-setup.conf");
        File.Copy(WafConfig.DebianCrsSetup, setup);
        var config = new WafConfig { CrsSetup = setup };
        var sets = new WafRuleSets();
        var before = sets.Get(config, out _);
        Assert.Same(before, sets.Get(config, out _));

        File.AppendAllText(setup, "\n# tuned\n");
        File.SetLastWriteTimeUtc(setup, DateTime.UtcNow.AddMinutes(1));
        Assert.NotSame(before, sets.Get(config, out _));
    }

    [Fact]
    public void ABrokenRuleFile_IsAConfigErrorAtTheRoutesWaf_NamingTheRuleFileAndLine()
    {
        var setup = Path.Combine(_dir, "crs-setup.conf");
        File.WriteAllText(setup, "SecDefaultAction \"phase:1,log,auditlog,pass\"\n\nSecRule ARGS \"@rx x\" \"id:1,phase:2,deny,bogus:1\"\n");
        var errors = WafConfigCheck.Check(ConfigWith(new WafConfig { Mode = WafMode.Block, CrsSetup = setup, Location = At }));

        var error = Assert.Single(errors);
        Assert.Equal(At, error.Location);
        Assert.Contains($"File: {setup}. Line: 3.", error.Message);
    }

    [Fact]
    public void NoCrsWhereTheConfigSays_IsAConfigError_AndModeOffChecksNothing()
    {
        var missing = Path.Combine(_dir, "no-crs-here");
        var error = Assert.Single(WafConfigCheck.Check(ConfigWith(new WafConfig { Crs = missing, Location = At })));
        Assert.Equal(At, error.Location);
        Assert.Contains($"no CRS rules (*.conf) in '{missing}/rules'", error.Message);

        Assert.Empty(WafConfigCheck.Check(ConfigWith(new WafConfig { Mode = WafMode.Off, Crs = missing })));
    }

    private static FulcrumConfig ConfigWith(WafConfig waf) => new()
    {
        Listeners = [new ListenerConfig
        {
            Name = "web",
            Bind = new BindAddress(System.Net.IPAddress.Loopback, 0),
            Routes = [new RouteConfig { Pool = "app", Waf = waf }],
        }],
        Pools = [new PoolConfig { Name = "app", Backends = [new BackendConfig { Address = "127.0.0.1:9" }] }],
    };
}
