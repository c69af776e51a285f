namespace Fulcrum.Core.Tests.Configuration;

public sealed class ValueErrorTests
{
    private static string Pool(string keys) => $"pools:\n  - name: p\n    {keys}\n";

    [Fact]
    public void BadDuration_ShowsTheExpectedForm()
    {
        ConfigAssert.OneError(Pool("drain-timeout: 30 seconds"), 3, 20,
            "'drain-timeout' must be a duration like 500ms, 10s, 5m or 1h, not '30 seconds'");
    }

    [Fact]
    public void BadSize_ShowsTheExpectedForm()
    {
        ConfigAssert.OneError("""
            listeners:
              - name: dns
                bind: 127.0.0.1:0
                protocol: udp
                pool: p
                max-datagram-size: 64 kilobytes
            pools: [ { name: p } ]
            """, 6, 24, "'max-datagram-size' must be a number of bytes or a size like 512B, 64KiB, 1MiB or 1GiB, not '64 kilobytes'");
    }

    [Fact]
    public void ZeroTimeout_IsRejected_WhereZeroMakesNoSense()
    {
        ConfigAssert.OneError(Pool("connect-timeout: 0s"), 3, 22, "'connect-timeout' must be longer than 0");
    }

    [Theory]
    [InlineData("keepalive: { idle-timeout: 0s }", 32, "'idle-timeout' must be longer than 0")]
    [InlineData("keepalive: { max-idle: -1 }", 28, "'max-idle' must not be negative, not -1")]
    public void BadKeepAlive_IsRejected_AtItsLine(string keys, int column, string message)
    {
        ConfigAssert.OneError(Pool(keys), 3, column, message);
    }

    [Fact]
    public void MisspeltAlgorithm_SuggestsTheNearestName()
    {
        ConfigAssert.OneError(Pool("algorithm: round-robbin"), 3, 16, "unknown algorithm 'round-robbin'; did you mean 'round-robin'?");
    }

    [Fact]
    public void UnknownAlgorithm_ListsEveryName()
    {
        ConfigAssert.OneError(Pool("algorithm: fastest"), 3, 16,
            "unknown algorithm 'fastest'; use one of round-robin, weighted-round-robin, least-connections, weighted-least-connections, " +
            "least-response-time, power-of-two, random, ip-hash, consistent-hash, maglev, least-bandwidth, peak-ewma, weighted-by-load");
    }

    [Fact]
    public void HashKeyThatDoesNotParse_ListsTheForms()
    {
        ConfigAssert.OneError(Pool("hash-key: header"), 3, 15,
            "hash-key 'header' does not parse; use source-ip, source-ip-port, path, header:NAME, cookie:NAME or query:NAME");
    }

    [Fact]
    public void BackendWeightZero_IsNotPositive()
    {
        ConfigAssert.OneError(Pool("backends: [ { address: 127.0.0.1:9001, weight: 0 } ]"), 3, 52, "'weight' must be positive, not 0");
    }

    [Theory]
    [InlineData("localhost:8080", 9, "bind 'localhost:8080' must be an IP address and a port, like 127.0.0.1:8080, 0.0.0.0:80 or [::1]:8080 (host names are not allowed)")]
    [InlineData("\"::1:8080\"", 9, "'::1:8080' looks like an IPv6 address; put it in brackets, like [::1]:8080")]
    [InlineData("127.0.0.1", 9, "'127.0.0.1' needs a port, like 127.0.0.1:8080")]
    [InlineData("127.0.0.1:http", 9, "port 'http' in '127.0.0.1:http' must be a number from 0 to 65535")]
    [InlineData("\"[::1]\"", 9, "'[::1]' needs a port after the bracketed IPv6 address, like [::1]:8080")]
    public void BadBind_SaysWhatABindLooksLike(string bind, int column, string message)
    {
        ConfigAssert.OneError($"admin:\n  bind: {bind}\n", 2, column, message);
    }

    [Theory]
    [InlineData("127.0.0.1:0", "port '0' in '127.0.0.1:0' must be a number from 1 to 65535")]
    [InlineData("127.0.0.1:65536", "port '65536' in '127.0.0.1:65536' must be a number from 1 to 65535")]
    [InlineData("bad_host!:80", "address 'bad_host!:80' must be a host name or IP address and a port, like 10.0.0.5:8080, api.internal:80, [::1]:8080 or https://10.0.0.5:8443")]
    [InlineData("api.internal", "'api.internal' needs a port, like api.internal:8080")]
    [InlineData("ftp://api.internal:21", "address 'ftp://api.internal:21' has scheme 'ftp://'; use host:port, http://host:port or https://host:port")]
    [InlineData("https://api.internal:443/v1", "address 'https://api.internal:443/v1' must be a scheme, a host and a port only, like https://10.0.0.1:8443 (no path, query or user)")]
    [InlineData("https://bad_host!", "address 'https://bad_host!' must be a host name or IP address and a port, like 10.0.0.5:8080, api.internal:80, [::1]:8080 or https://10.0.0.5:8443")]
    public void BadBackendAddress_SaysWhatAnAddressLooksLike(string address, string message)
    {
        ConfigAssert.OneError(Pool($"backends:\n      - address: {address}"), 4, 18, message);
    }

    [Fact]
    public void RegexThatDoesNotCompile_ShowsTheRegexError()
    {
        ConfigAssert.OneError("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes:
                  - match: { path-regex: "/(a" }
                    respond: { status: 404 }
            """, 5, 30, "'path-regex' does not compile: Invalid pattern '/(a' at offset 3. Not enough )'s.");
    }

    [Fact]
    public void CidrThatDoesNotParse_IsNamed()
    {
        ConfigAssert.OneError("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes:
                  - match: { client-cidr: [10.0.0.0/8, 10.0.0.0/33] }
                    respond: { status: 403 }
            """, 5, 44, "client-cidr '10.0.0.0/33' must be a CIDR block like 10.0.0.0/8 or fd00::/8 (no bits set after the prefix)");
    }

    [Fact]
    public void SplitWeightZero_IsNotPositive()
    {
        ConfigAssert.OneError("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes:
                  - split:
                      - { pool: p, weight: 0 }
            pools: [ { name: p } ]
            """, 6, 32, "'weight' must be positive, not 0");
    }

    [Fact]
    public void EmptySplit_NeedsATarget()
    {
        ConfigAssert.OneError("listeners: [ { name: w, bind: 127.0.0.1:0, routes: [ { split: [] } ] } ]", 1, 63,
            "'split' needs at least one target, like - { pool: web, weight: 90 }");
    }

    [Fact]
    public void AnAgentCheck_NeedsItsPort_AndTakesOnlyItsKeys()
    {
        var errors = ConfigAssert.Errors("""
            pools:
              - name: p
                health:
                  agent: { interval: 1s }
              - name: q
                health:
                  agent: { port: 9777, path: /x }
            """);
        Assert.Equal(2, errors.Count);
        Assert.Equal("fulcrum.yaml:4:14: an agent check needs the 'port' its agents answer on", errors[0]);
        Assert.StartsWith("fulcrum.yaml:7:28: unknown key 'path' in ", errors[1]);
    }

    [Fact]
    public void BadHealthValues_AreEachReported()
    {
        var errors = ConfigAssert.Errors("""
            pools:
              - name: p
                health:
                  active: { path: health, rise: 0, expect: 200-99 }
                  passive: { max-ejected: 150%, eject-for: soon }
            """);
        Assert.Equal([
            "fulcrum.yaml:4:23: 'path' must start with '/', like /health",
            "fulcrum.yaml:4:37: 'rise' must be positive, not 0",
            "fulcrum.yaml:4:48: 'expect' must be a status like 200 or a range like 200-399, not '200-99'",
            "fulcrum.yaml:5:31: 'max-ejected' must be a percentage from 0% to 100%, like 50%, not '150%'",
            "fulcrum.yaml:5:48: 'eject-for' must be a duration like 500ms, 10s, 5m or 1h, not 'soon'",
        ], errors);
    }

    [Theory]
    [InlineData("health: { panic-threshold: 50 }", 32, "'panic-threshold' must be a percentage from 0% to 100%, like 50%, not '50'; only 0 may be written without the %")]
    [InlineData("health: { passive: { max-ejected: 0.5 } }", 39, "'max-ejected' must be a percentage from 0% to 100%, like 50%, not '0.5'; only 0 may be written without the %")]
    [InlineData("retries: { budget: 20 }", 24, "'budget' must be a percentage from 0% to 100%, like 50%, not '20'; only 0 may be written without the %")]
    public void BarePercentage_OtherThanZero_IsRejected_BecauseItCouldMeanAShareOrAPercent(string keys, int column, string message)
    {
        ConfigAssert.OneError(Pool(keys), 3, column, message);
    }

    [Theory]
    [InlineData("ipv4-prefix: 0", 60, "'ipv4-prefix' must be from 1 to 32, not 0")]
    [InlineData("ipv4-prefix: 33", 60, "'ipv4-prefix' must be from 1 to 32, not 33")]
    [InlineData("ipv6-prefix: 0", 60, "'ipv6-prefix' must be from 1 to 128, not 0")]
    [InlineData("ipv6-prefix: 129", 60, "'ipv6-prefix' must be from 1 to 128, not 129")]
    public void SourceIpAffinityPrefix_OutsideItsDocumentedRange_IsRejected(string prefix, int column, string message)
    {
        ConfigAssert.OneError(Pool($"affinity: {{ mode: source-ip, source-ip: {{ {prefix} }} }}"), 3, column, message);
    }

    [Fact]
    public void UnknownEnumValues_SuggestTheNearest()
    {
        var errors = ConfigAssert.Errors("""
            listeners: [ { name: w, bind: 127.0.0.1:0, protocol: htp, routes: [ { pool: p } ] } ]
            pools: [ { name: p, proxy-protocol: v3, affinity: { mode: cookies } } ]
            """);
        Assert.Equal([
            "fulcrum.yaml:1:54: unknown protocol 'htp'; did you mean 'http'?",
            "fulcrum.yaml:2:37: unknown proxy-protocol 'v3'; did you mean 'v1'?",
            "fulcrum.yaml:2:59: unknown mode 'cookies'; did you mean 'cookie'?",
        ], errors);
    }

    [Theory]
    [InlineData("example.com/new")]
    [InlineData("ftp://example.com/")]
    public void RedirectTo_MustBeAnAbsoluteUrlOrAPath(string to)
    {
        ConfigAssert.OneError($"listeners: [ {{ name: w, bind: 127.0.0.1:0, routes: [ {{ redirect: {{ to: \"{to}\" }} }} ] }} ]", 1, 72,
            $"redirect 'to' must be an absolute URL like https://example.com/new or a path like /new, not '{to}'");
    }

    [Fact]
    public void RedirectStatus_MustBeARedirect()
    {
        ConfigAssert.OneError("listeners: [ { name: w, bind: 127.0.0.1:0, routes: [ { redirect: { to: /x, status: 200 } } ] } ]", 1, 84,
            "redirect 'status' must be 301, 302, 303, 307 or 308, not 200");
    }
}
