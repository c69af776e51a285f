using Fulcrum.Core.Configuration;
using Fulcrum.L7.Compression;
using Fulcrum.L7.StaticFiles;

namespace Fulcrum.L7.Tests.Compression;

/// <summary>The header readers behind `compress` and `static`, on hostile and broken input: an answer, never a throw.</summary>
public sealed class AcceptEncodingTests
{
    private static readonly System.Collections.Immutable.ImmutableArray<ContentCoding> All = [ContentCoding.Zstd, ContentCoding.Brotli, ContentCoding.Gzip];

    [Theory]
    [InlineData(";;;,,,", null)]
    [InlineData("q=1", null)]
    [InlineData("gzip;q=", null)]
    [InlineData("gzip;q=0.", null)]
    [InlineData("gzip;q=0.0001", null)]
    [InlineData("gzip;q=1.001", null)]
    [InlineData("gzip;q=-1", null)]
    [InlineData("gzip; level=9; q=0.3", ContentCoding.Gzip)]
    [InlineData("  br  ,  gzip ;q=0.9 ", ContentCoding.Brotli)]
    [InlineData("*;q=0, gzip;q=0.001", ContentCoding.Gzip)]
    [InlineData("br;q=0.5, br;q=0", ContentCoding.Brotli)]  // the same coding twice: its highest weight
    [InlineData("\u00ff\u0000gzip", null)]
    public void BrokenOrOddHeaders_GetACodingOrNone_NeverAThrow(string header, ContentCoding? expected)
    {
        Assert.Equal(expected, AcceptEncoding.Choose(header, All));
    }

    [Fact]
    public void AHugeHeader_IsReadInTime()
    {
        var header = string.Concat(Enumerable.Repeat("x-unknown;q=0.5, ", 20_000)) + "zstd;q=0.1";
        Assert.Equal(ContentCoding.Zstd, AcceptEncoding.Choose(header, All));
    }

    [Theory]
    [InlineData("bytes=5-1", "None")]
    [InlineData("bytes=-", "None")]
    [InlineData("bytes=a-b", "None")]
    [InlineData("bytes=99999999999999999999-", "None")]
    [InlineData("items=0-1", "None")]
    [InlineData("bytes=-0", "Unsatisfiable")]
    [InlineData("bytes=100-", "Unsatisfiable")]
    [InlineData("bytes=0-0", "One")]
    [InlineData("BYTES = 0 - 9", "None")]
    public void RangeHeaders_AreReadOrIgnored_AsRfc9110Says(string header, string expected)
    {
        Assert.Equal(expected, ByteRange.Parse(header, 100, out _).ToString());
    }

    [Theory]
    [InlineData("/a/b.txt", false)]
    [InlineData("/a/..b/c", false)]
    [InlineData("/a/...", false)]
    [InlineData("/a/b?x=../..", false)]
    [InlineData("/../a", true)]
    [InlineData("/a/%2E%2e", true)]
    [InlineData("/a%2F..%2Fb", true)]
    [InlineData("/a\\b", true)]
    [InlineData("/a%5Cb", true)]
    [InlineData("/a%00", true)]
    public void HostileTargets_AreToldApart(string target, bool hostile)
    {
        Assert.Equal(hostile, StaticPath.IsHostile(target));
    }

    [Theory]
    [InlineData("/srv/www", "/index.html", "/srv/www/index.html")]
    [InlineData("/srv/www", "/", "/srv/www")]
    [InlineData("/srv/www", "/.well-known/x", "/srv/www/.well-known/x")]
    [InlineData("/srv/www", "/.git/config", null)]
    [InlineData("/srv/www", "/a/../../etc/passwd", null)]
    [InlineData("/srv/www", "/../www-other/x", null)]
    public void Resolve_KeepsEveryPathInTheRoot(string root, string path, string? expected)
    {
        Assert.Equal(expected, StaticPath.Resolve(root, path));
    }
}
