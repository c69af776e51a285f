using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

public sealed class CacheParserTests
{
    private static ConfigLoadResult Load(string cache) => ConfigLoader.LoadText($$"""
        listeners:
          - name: web
            bind: 127.0.0.1:8080
            routes:
              - pool: app
                cache: {{cache}}
        pools:
          - name: app
            backends: [ { address: 127.0.0.1:9001 } ]
        """, "f.yaml");

    private static CacheConfig Read(string cache)
    {
        var result = Load(cache);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Config!.Listeners[0].Routes[0].Cache!;
    }

    [Fact]
    public void EveryKey_IsRead()
    {
        var cache = Read("{ max-size: 1GiB, max-object-size: 16MiB, heuristic: true, lock-timeout: 2s, name: edge-1 }");
        Assert.Equal((1L << 30, 16L << 20, true, TimeSpan.FromSeconds(2), "edge-1"),
            (cache.MaxSize, cache.EffectiveMaxObjectSize, cache.Heuristic, cache.LockTimeout, cache.Name));
        Assert.Equal("f.yaml", cache.Location.File);
    }

    [Fact]
    public void Defaults_Are256MiB_AnEighthForObjectsAtMost8MiB_NoHeuristics()
    {
        var cache = Read("{}");
        Assert.Equal((256L << 20, 8L << 20, false, TimeSpan.FromSeconds(5), "fulcrum"),
            (cache.MaxSize, cache.EffectiveMaxObjectSize, cache.Heuristic, cache.LockTimeout, cache.Name));
        Assert.Equal(1L << 20, Read("{ max-size: 8MiB }").EffectiveMaxObjectSize);
    }

    [Theory]
    [InlineData("{ max-size: 1KiB }", "6:16", "at least 64KiB")]
    [InlineData("{ max-size: lots }", "6:16", "'max-size' must be")]
    [InlineData("{ max-size: 1MiB, max-object-size: 2MiB }", "6:16", "must not be more than 'max-size'")]
    [InlineData("{ max-object-size: 0 }", "6:16", "more than 0")]
    [InlineData("{ name: \"two words\" }", "6:16", "must be a token")]
    [InlineData("{ lock-timeout: soon }", "6:16", "'lock-timeout' must be")]
    [InlineData("{ max-sise: 1MiB }", "6:16", "max-size")]
    [InlineData("on", "6:16", "cache must be a mapping")]
    public void Mistakes_AreErrorsAtTheirPlace(string cache, string at, string message)
    {
        var result = Load(cache);
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Contains(message, error.Message);
        Assert.Equal(at.Split(':')[0], error.Location.Line.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ACacheOnARouteWithoutABackend_IsAnError()
    {
        var result = ConfigLoader.LoadText("""
            listeners:
              - name: web
                bind: 127.0.0.1:8080
                routes:
                  - respond: { body: hi }
                    cache: {}
            """, "f.yaml");
        var error = Assert.Single(result.Errors);
        Assert.Equal(("'cache' needs a route that goes to a 'pool' or a 'split', not a 'respond'", 6), (error.Message, error.Location.Line));
    }
}
