using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

/// <summary>The `admin:` section: an admin API other hosts can reach needs a token, and the token never shows.</summary>
public sealed class AdminSectionTests
{
    private const string NoToken =
        "admin.bind {0} is reachable from other hosts, and the admin API can drain backends and reload the config: "
        + "set admin.token (e.g. the output of 'openssl rand -base64 32'), or bind to 127.0.0.1";

    [Theory]
    [InlineData("0.0.0.0:9900")]
    [InlineData("10.0.0.5:9900")]
    [InlineData("\"[::]:9900\"")]
    [InlineData("\"[2001:db8::1]:9900\"")]
    public void NonLoopbackBind_WithoutAToken_IsRefusedAtTheBind(string bind)
    {
        var shown = bind.Trim('"');
        ConfigAssert.OneError($"admin:\n  bind: {bind}\n", 2, 9, string.Format(System.Globalization.CultureInfo.InvariantCulture, NoToken, shown));
    }

    [Theory]
    [InlineData("127.0.0.1:9900")]
    [InlineData("127.0.0.53:9900")]
    [InlineData("\"[::1]:9900\"")]
    public void LoopbackBind_NeedsNoToken(string bind)
    {
        Assert.Null(ConfigAssert.Valid($"admin:\n  bind: {bind}\n").Admin!.Token);
    }

    [Theory]
    [InlineData("s3cret")]
    [InlineData("q8Zk1v+Yb/3Qx9N2w0T5rA7cL4mE6pH1sJ8uV2yK0dQ=")]
    [InlineData("a.b_c~d-e")]
    public void NonLoopbackBind_WithAToken_IsValid(string token)
    {
        Assert.Equal(token, ConfigAssert.Valid($"admin:\n  bind: 0.0.0.0:9900\n  token: \"{token}\"\n").Admin!.Token);
    }

    [Theory]
    [InlineData("\"two words\"")]
    [InlineData("\"caf\u00e9\"")]
    [InlineData("\"a=b\"")]
    [InlineData("\"==\"")]
    [InlineData("\"\"")]
    [InlineData("\"tab\there\"")]
    public void TokenThatCannotTravelInABearerHeader_IsRefused_WithoutRepeatingIt(string token)
    {
        var errors = ConfigAssert.Errors($"admin:\n  bind: 127.0.0.1:9900\n  token: {token}\n");
        var error = Assert.Single(errors);
        Assert.StartsWith($"{ConfigAssert.File}:3:10: admin.token must be", error);
        var value = token.Trim('"');
        if (value.Length > 2) Assert.DoesNotContain(value, error);
    }

    [Fact]
    public void AdminConfig_PrintsNoToken()
    {
        var config = ConfigAssert.Valid("admin:\n  bind: 127.0.0.1:9900\n  token: never-print-me\n");

        Assert.DoesNotContain("never-print-me", config.Admin!.ToString());
        Assert.DoesNotContain("never-print-me", config.ToString());
        Assert.Contains("Token = (set)", config.Admin.ToString());
    }
}
