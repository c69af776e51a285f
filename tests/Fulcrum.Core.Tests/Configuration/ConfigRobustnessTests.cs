using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

/// <summary>Whatever a user writes, the loader answers with a config or errors that have a place; it never throws.</summary>
public sealed class ConfigRobustnessTests
{
    private static readonly string[] HostileValues =
        ["", "[]", "{}", "~", "[ 1, [ 2 ] ]", "{ a: { b: c } }", "*nowhere", "&a", "!!binary AAAA", "'", "\"", "-1", "0",
         "99999999999999999999", "1e9", "NaN", ":", "- x", "|\n  block", "\u00e9\u4e2d\ud83d\ude00", "[::1]:", "*.", "%"];

    [Fact]
    public void EveryValueOfAFullFile_ReplacedByHostileText_GivesErrorsWithAPlace_NeverAnException()
    {
        var lines = ConfigLoaderRoundTripTests.Full.Split('\n');
        var loads = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0) continue;
            foreach (var value in HostileValues)
            {
                var mutated = (string[])lines.Clone();
                mutated[i] = lines[i][..(colon + 2)] + value;
                AssertAnswers(string.Join('\n', mutated));
                loads++;
            }
        }

        Assert.True(loads > 1000);
    }

    [Fact]
    public void CharactersOfAFullFile_Deleted_GiveAConfigOrErrorsWithAPlace_NeverAnException()
    {
        // Every third character (a load takes milliseconds; all of them would take too long for a unit test), so each
        // key, value, bracket and indent run is cut somewhere.
        var text = ConfigLoaderRoundTripTests.Full;
        for (var i = 0; i < text.Length; i += 3) AssertAnswers(text.Remove(i, 1));
    }

    [Theory]
    [InlineData("\uFEFFpools: []\n")]
    [InlineData("%YAML 1.2\n---\npools: []\n")]
    [InlineData("pools: [ { name: a } ]\n...\n")]
    public void ByteOrderMarks_Directives_AndDocumentEnds_AreAccepted(string yaml) => ConfigAssert.Valid(yaml);

    [Fact]
    public void UnclosedFlowMapping_ThatTripsTheYamlScanner_IsASyntaxErrorAtTheBracket()
    {
        ConfigAssert.OneError("""
            headers:
              - { name: 1
              - { name: b }
            """, 2, 3, "YAML syntax error after this point; check the brackets, indentation and quoting");
    }

    [Fact]
    public void AliasToNoAnchor_IsReportedAtTheAlias()
    {
        ConfigAssert.OneError("pools:\n  - { name: a, backends: *nope }\n", 2, 26, "alias '*nope' refers to no anchor; define '&nope' before it");
    }

    // Found by fuzzing (fuzz/run.sh, target config): YamlDotNet resolves an alias to an anchor further down, and as a
    // mapping key such an alias sent YamlAliasNode.Equals into endless recursion, a stack overflow that killed the
    // process. YAML wants the anchor first (YAML 1.2.2 section 7.1); AnchorsFirstParser stops at the alias.
    [Fact]
    public void AliasAsAKey_BeforeItsAnchor_IsAnErrorAtTheAlias_NotAStackOverflow()
    {
        ConfigAssert.OneError("*a : 1\nb: &a 2\n", 1, 1, "alias '*a' refers to no anchor; define '&a' before it");
    }

    [Fact]
    public void AliasAsAValue_BeforeItsAnchor_IsAnErrorAtTheAlias()
    {
        ConfigAssert.OneError("pools:\n  - { name: a, backends: *later }\nx-later: &later []\n", 2, 26,
            "alias '*later' refers to no anchor; define '&later' before it");
    }

    [Fact]
    public void TheFuzzersStackOverflowInput_GivesErrorsWithAPlace()
    {
        AssertAnswers("listeners:\n\u0006\u0006\u0006\u0006\u0006\u0006\u0006\u000f\u0006\u0006\u0006\u0006\u0006\u0003\u0006\u0006\u0006\u0006\u0006\u0006\ufffdts!!  idle-t - :\non:imeout: *!$ \npoom\ufffd:\n *!$ :\non:imeesum  :\n  - - &!$ \npoo  :");
    }

    [Fact]
    public void AliasReadTwice_ReportsItsMistakeOnce()
    {
        ConfigAssert.OneError("""
            x-spare: &spare { address: "127.0.0.1:0" }
            pools:
              - { name: a, backends: [ *spare ] }
              - { name: b, backends: [ *spare ] }
            """, 1, 28, "port '0' in '127.0.0.1:0' must be a number from 1 to 65535");
    }

    [Fact]
    public void AnchorHoldingItself_DoesNotLoopForever()
    {
        var errors = ConfigAssert.Errors("pools: &p [ { name: a, backends: *p } ]");
        Assert.Equal(["fulcrum.yaml:1:13: backend is missing required key 'address'", "fulcrum.yaml:1:24: unknown key 'backends' in backend"], errors);
    }

    private static void AssertAnswers(string yaml)
    {
        var result = ConfigLoader.LoadText(yaml, "f.yaml");
        Assert.True(result.IsValid || !result.Errors.IsEmpty);
        foreach (var error in result.Errors)
        {
            Assert.True(error.Location.Line >= 1 && error.Location.Column >= 1, $"no place for: {error}\nin:\n{yaml}");
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
        }
    }
}
