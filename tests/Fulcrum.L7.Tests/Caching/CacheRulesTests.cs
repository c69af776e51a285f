using Fulcrum.Core.Configuration;
using Fulcrum.L7.Caching;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Tests.Caching;

/// <summary>The pieces under the cache on their own: Cache-Control, dates, Accept-Encoding variants, SIEVE eviction.</summary>
public sealed class CacheRulesTests
{
    [Theory]
    [InlineData("max-age=60", 60L, null, false)]
    [InlineData("MAX-AGE=60, s-maxage=5", 60L, 5L, false)]
    [InlineData("max-age=\"60\"", 60L, null, false)]
    [InlineData("max-age=60, max-age=61", 0L, null, false)]  // twice, differently: stale (RFC 9111 section 4.2.1)
    [InlineData("max-age=6a", 0L, null, false)]
    [InlineData("max-age=99999999999", 2147483648L, null, false)]
    [InlineData("no-cache=\"Set-Cookie, X-A\", max-age=5", 5L, null, true)]
    [InlineData("private=\"a,b\", public", null, null, false)]
    public void CacheControl_ReadsDirectivesAsRfc9111Says(string header, long? maxAge, long? sharedMaxAge, bool noCache)
    {
        var control = CacheControl.Parse(new StringValues(header));
        Assert.Equal((maxAge, sharedMaxAge, noCache), (control.MaxAge, control.SharedMaxAge, control.NoCache));
    }

    [Fact]
    public void HostileHeaderValues_NeverThrow()
    {
        var random = new Random(7);
        string[] seeds = ["\"", "=\"", "max-age=\"\\", ",,,=,=", "max-stale", "a=\"b\\\"c\", d", new string('=', 10000), "\0\r\n"];
        foreach (var seed in seeds) _ = CacheControl.Parse(new StringValues(seed));
        for (var i = 0; i < 2000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var c = 0; c < chars.Length; c++) chars[c] = "max-ge=0123456789,\"\\; \tnocsbplriv*"[random.Next(34)];
            var text = new string(chars);
            _ = CacheControl.Parse(new StringValues(text));
            _ = HttpDate.Parse(text);
            _ = CacheKey.VaryValue(new HeaderDictionary { ["Accept-Encoding"] = text }, "Accept-Encoding");
        }
    }

    [Theory]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT", 1994)]
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT", 1994)]
    [InlineData("Sun Nov  6 08:49:37 1994", 1994)]
    [InlineData("Thursday, 18-Aug-50 02:01:18 GMT", 2050)] // two-digit years within 50 years ahead are ahead
    public void HttpDates_InEveryFormRfc9110Reads(string text, int year) => Assert.Equal(year, HttpDate.Parse(text)!.Value.Year);

    [Theory]
    [InlineData(null, "")]
    [InlineData("gzip, deflate, br", "br,gzip")]
    [InlineData("br;q=1.0, gzip;q=0.5", "br,gzip")]
    [InlineData("gzip, br;q=0", "gzip")]
    [InlineData("*", "br,gzip,zstd")]
    [InlineData("*, gzip;q=0", "br,zstd")]
    [InlineData("identity", "")]
    public void AcceptEncoding_IsTheSortedSetOfKnownCodingsAccepted(string? header, string expected)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        if (header is not null) headers.AcceptEncoding = header;
        Assert.Equal(expected, CacheKey.VaryValue(headers, "accept-encoding"));
    }

    private static CachedResponse Entry(CacheStore store, string key, int bodyBytes) =>
        new(key, null, null, 200, [("Cache-Control", "max-age=60")], new byte[bodyBytes], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, heuristic: false, "fulcrum");

    [Fact]
    public void Sieve_EvictsTheOldestUnvisitedEntry_AndKeepsVisitedOnes()
    {
        var store = new CacheStore("web", "r", new CacheConfig { MaxSize = 64 * 1024 });
        var a = Entry(store, "a", 20_000);
        var b = Entry(store, "b", 20_000);
        var c = Entry(store, "c", 20_000);
        store.Store(a);
        store.Store(b);
        store.Store(c);
        a.Visited = true; // a hit on the oldest
        store.Store(Entry(store, "d", 20_000));

        // The hand passed a (clearing its bit) and evicted b, the oldest entry nobody read again.
        Assert.NotNull(store.Variants("a"));
        Assert.Null(store.Variants("b"));
        Assert.NotNull(store.Variants("c"));
        Assert.True(store.Bytes <= 64 * 1024);
        Assert.Equal(1, store.Counters.EvictedTotal);
        Assert.False(a.Visited);

        // A smaller max-size on reload evicts at once.
        store.Reconfigure(new CacheConfig { MaxSize = 64 * 1024 / 2 });
        Assert.True(store.Bytes <= 32 * 1024);
        Assert.Equal(1, store.Entries);
    }
}
