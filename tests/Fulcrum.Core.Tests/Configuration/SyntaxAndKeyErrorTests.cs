namespace Fulcrum.Core.Tests.Configuration;

public sealed class SyntaxAndKeyErrorTests
{
    [Fact]
    public void YamlSyntaxError_IsReportedWhereTheParserStopped()
    {
        ConfigAssert.OneError("""
            pools:
              - name: a
             algorithm: x
            """, 3, 2, "YAML syntax error: While parsing a block mapping, did not find expected key.");
    }

    [Fact]
    public void UnclosedFlowList_IsASyntaxError()
    {
        ConfigAssert.OneError("pools: [ { name: a }\n", 2, 1,
            "YAML syntax error: While parsing a flow sequence, did not find expected ',' or ']'.");
    }

    [Fact]
    public void DuplicateKeyInOneMapping_IsNamed()
    {
        ConfigAssert.OneError("""
            pools:
              - name: a
                name: b
            """, 3, 5, "duplicate key 'name'; each key may appear once in a mapping");
    }

    [Fact]
    public void UnknownKey_SuggestsTheNearestKnownKey()
    {
        ConfigAssert.OneError("""
            pools:
              - name: api
                algoritm: round-robin
            """, 3, 5, "unknown key 'algoritm' in pool; did you mean 'algorithm'?");
    }

    [Fact]
    public void UnknownKey_FarFromEveryKnownKey_GetsNoSuggestion()
    {
        ConfigAssert.OneError("""
            pools:
              - name: api
                colour: blue
            """, 3, 5, "unknown key 'colour' in pool");
    }

    [Fact]
    public void UnknownTopLevelKey_IsReported_ButXPrefixedKeysHoldAnchors()
    {
        ConfigAssert.OneError("listener: []\n", 1, 1, "unknown key 'listener' in the config file; did you mean 'listeners'?");

        var config = ConfigAssert.Valid("""
            x-backend: &one { address: 127.0.0.1:9001, weight: 3 }
            pools:
              - { name: a, backends: [ *one ] }
            """);
        Assert.Equal(3, config.Pools[0].Backends[0].Weight);
    }

    [Fact]
    public void UnderscoreAndCaseMistakes_FindTheirKey()
    {
        ConfigAssert.OneError("pools: [ { name: a, hash_key: path } ]", 1, 21, "unknown key 'hash_key' in pool; did you mean 'hash-key'?");
        ConfigAssert.OneError("pools: [ { name: a, Weigth: 1 } ]", 1, 21, "unknown key 'Weigth' in pool");
        ConfigAssert.OneError("pools: [ { name: a, backends: [ { address: 127.0.0.1:1, Weigth: 1 } ] } ]", 1, 57,
            "unknown key 'Weigth' in backend; did you mean 'weight'?");
    }

    [Fact]
    public void ListWhereAMappingBelongs_IsAWrongType()
    {
        ConfigAssert.OneError("""
            pools:
              - name: a
                health: [ 1, 2 ]
            """, 3, 13, "health must be a mapping (key: value pairs), not a list");
    }

    [Fact]
    public void ScalarWhereAListBelongs_IsAWrongType()
    {
        ConfigAssert.OneError("listeners: web\n", 1, 12, "'listeners' must be a list (items starting with '- '), not 'web'");
    }

    [Fact]
    public void MappingWhereAStringBelongs_IsAWrongType()
    {
        ConfigAssert.OneError("pools: [ { name: { first: a } } ]", 1, 18, "'name' must be a string, not a mapping");
    }

    [Fact]
    public void NonNumberWeight_AndNonBooleanBackup_AreWrongTypes()
    {
        var errors = ConfigAssert.Errors("""
            pools:
              - name: a
                backends:
                  - address: 127.0.0.1:9001
                    weight: heavy
                    backup: yes
            """);
        Assert.Equal([
            "fulcrum.yaml:5:17: 'weight' must be a whole number, not 'heavy'",
            "fulcrum.yaml:6:17: 'backup' must be true or false, not 'yes'",
        ], errors);
    }

    [Fact]
    public void MissingRequiredKey_PointsAtTheMapping()
    {
        ConfigAssert.OneError("""
            pools:
              - algorithm: random
            """, 2, 5, "pool is missing required key 'name'");
    }

    [Fact]
    public void EmptyValue_NeedsAValue()
    {
        ConfigAssert.OneError("pools:\n  - name:\n", 2, 10, "'name' needs a value");
    }

    [Fact]
    public void EmptyFile_IsAnError()
    {
        ConfigAssert.OneError("# nothing yet\n", 1, 1, "the config file is empty; it needs at least 'listeners' and 'pools'");
    }

    [Fact]
    public void TwoDocuments_AreAnError()
    {
        ConfigAssert.OneError("pools: []\n---\npools: []\n", 3, 1, "the config file holds more than one YAML document; keep one (remove the second '---')");
    }

    [Fact]
    public void EveryMistake_IsReportedAtOnce_InFileOrder()
    {
        var errors = ConfigAssert.Errors("""
            listeners:
              - name: web
                bind: 127.0.0.1:80800
                routes: [ { pool: apii } ]
            pools:
              - name: api
                algorithm: least-conections
                connect-timeout: 5
                backends: [ { address: 127.0.0.1:9001, weight: -1 } ]
            """);
        Assert.Equal([
            "fulcrum.yaml:3:11: port '80800' in '127.0.0.1:80800' must be a number from 0 to 65535",
            "fulcrum.yaml:4:23: pool 'apii' is not defined; did you mean 'api'?",
            "fulcrum.yaml:7:16: unknown algorithm 'least-conections'; did you mean 'least-connections'?",
            "fulcrum.yaml:8:22: 'connect-timeout' must be a duration like 500ms, 10s, 5m or 1h, not '5'",
            "fulcrum.yaml:9:52: 'weight' must be positive, not -1",
        ], errors);
    }
}
