using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Configuration.Parsing;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Tests.Configuration;

public sealed class ValueParserTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("250us", 0.25)]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("2d", 172_800_000)]
    public void Duration_ParsesEveryUnit(string text, double milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10 s")]
    [InlineData("10sec")]
    [InlineData("-5s")]
    [InlineData("1y")]
    [InlineData("ms")]
    [InlineData("99999999999999h")]
    public void Duration_RejectsMissingOrUnknownUnits(string text) => Assert.False(DurationParser.TryParse(text, out _));

    // Found by fuzzing (fuzz/run.sh, target values; the first two are AFL++'s crash inputs): a number that fits a
    // decimal but not once multiplied by its unit's ticks threw OverflowException out of TryParse.
    [Theory]
    [InlineData("170ms11111111111111111111111111m")]
    [InlineData("50528162514264337593543950335s")]
    [InlineData("9999999999999999999999999999d")]
    [InlineData("79228162514264337593543950335us")]
    public void Duration_TooLargeOnceMultipliedByItsUnit_IsRefused_NotThrown(string text) =>
        Assert.False(DurationParser.TryParse(text, out _));

    [Theory]
    [InlineData(0, "0")]
    [InlineData(250, "250ms")]
    [InlineData(30_000, "30s")]
    [InlineData(5_400_000, "1h30m")]
    public void Duration_FormatsAsTheConfigWritesIt(double milliseconds, string text) =>
        Assert.Equal(text, DurationParser.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData("512B", 512)]
    [InlineData("64KiB", 65_536)]
    [InlineData("1MiB", 1_048_576)]
    [InlineData("1GiB", 1_073_741_824)]
    [InlineData("2TiB", 2_199_023_255_552)]
    [InlineData("64KB", 64_000)]
    [InlineData("1MB", 1_000_000)]
    [InlineData("1GB", 1_000_000_000)]
    [InlineData("1 mib", 1_048_576)]
    public void Size_ReadsIecAsPowersOfTwo_AndSiAsPowersOfTen(string text, long bytes)
    {
        Assert.True(SizeParser.TryParse(text, out var value));
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("64")]
    [InlineData("1.5MiB")]
    [InlineData("KiB")]
    [InlineData("10 kbits")]
    [InlineData("99999999999TiB")]
    public void Size_RejectsBareNumbersAndUnknownUnits(string text) => Assert.False(SizeParser.TryParse(text, out _));

    [Fact]
    public void BadSize_IsAnErrorAtItsNode()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader("buffer: 64 kilobytes\n"));
        var value = ((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("buffer")];
        var context = new ParseContext("f.yaml");

        Assert.Null(YamlReader.Size(value, "buffer", context));
        Assert.Equal("f.yaml:1:9: 'buffer' must be a size like 512B, 64KiB, 1MiB or 1GiB, not '64 kilobytes'", context.Errors.Single().ToString());
    }

    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080)]
    [InlineData("0.0.0.0:0", "0.0.0.0", 0)]
    [InlineData("[::1]:443", "::1", 443)]
    [InlineData("[::]:80", "::", 80)]
    public void Bind_TakesIpLiteralsAndPorts(string text, string address, int port)
    {
        Assert.True(AddressParser.TryParseBind(text, out var bind, out _));
        Assert.Equal(new BindAddress(IPAddress.Parse(address), port), bind);
    }

    [Theory]
    [InlineData("10.0.0.5:8080", "10.0.0.5", 8080)]
    [InlineData("api.internal:80", "api.internal", 80)]
    [InlineData("[fd00::5]:65535", "fd00::5", 65535)]
    public void Backend_TakesNamesAndIpLiterals(string text, string host, int port)
    {
        Assert.True(AddressParser.TryParseBackend(text, out var h, out var p, out _));
        Assert.Equal((host, port), (h, p));
    }

    [Theory]
    [InlineData("10.0.0.5:8080", BackendScheme.None, "10.0.0.5:8080")]
    [InlineData("https://10.0.0.1:8443", BackendScheme.Https, "10.0.0.1:8443")]
    [InlineData("HTTPS://api.internal/", BackendScheme.Https, "api.internal:443")]
    [InlineData("http://api.internal", BackendScheme.Http, "api.internal:80")]
    [InlineData("https://[fd00::5]", BackendScheme.Https, "[fd00::5]:443")]
    [InlineData("https://[fd00::5]:9443", BackendScheme.Https, "[fd00::5]:9443")]
    public void BackendUrl_TakesAnHttpOrHttpsPrefix_AndDefaultsThePort(string text, BackendScheme scheme, string hostPort)
    {
        Assert.True(AddressParser.TryParseBackendUrl(text, out var s, out var a, out var error), error);
        Assert.Equal((scheme, hostPort), (s, a));
    }

    [Theory]
    [InlineData("source-ip", HashKeySource.SourceIp, null)]
    [InlineData("source-ip-port", HashKeySource.SourceIpPort, null)]
    [InlineData("path", HashKeySource.Path, null)]
    [InlineData("header:X-User-Id", HashKeySource.Header, "X-User-Id")]
    [InlineData("cookie:session", HashKeySource.Cookie, "session")]
    [InlineData("query:user", HashKeySource.Query, "user")]
    public void HashKey_ParsesEveryForm_AndPrintsItBack(string text, HashKeySource source, string? name)
    {
        Assert.True(HashKeyParser.TryParse(text, out var key));
        Assert.Equal(new HashKeyConfig(source, name), key);
        Assert.Equal(text, key.ToString());
    }

    [Theory]
    [InlineData("header:")]
    [InlineData("header")]
    [InlineData("body:x")]
    [InlineData("source_ip")]
    public void HashKey_RejectsOtherForms(string text) => Assert.False(HashKeyParser.TryParse(text, out _));

    [Theory]
    [InlineData("algoritm", "algorithm")]
    [InlineData("hash_key", "hash-key")]
    [InlineData("HEALTH", "health")]
    [InlineData("bakends", "backends")]
    [InlineData("wieght", "weight")]
    [InlineData("zzz", null)]
    [InlineData("color", null)]
    public void NameSuggester_FindsTypos_AndNothingForStrangers(string typed, string? expected) =>
        Assert.Equal(expected, NameSuggester.Nearest(typed, ["name", "algorithm", "hash-key", "health", "backends", "weight"]));
}
