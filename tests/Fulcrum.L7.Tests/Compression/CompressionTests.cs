using System.IO.Compression;
using System.Net;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.Compression;

/// <summary>A route's `compress` between a real client and a real Kestrel backend (docs/compression.md).</summary>
public sealed class CompressionTests
{
    private static async Task<(ContentBackend, ProxyHarness)> StartAsync(CompressConfig? compress = null)
    {
        var backend = await ContentBackend.StartAsync();
        var route = ToPool("app") with { Compress = compress ?? new CompressConfig() };
        var pool = new PoolConfig { Name = "app", Backends = [new BackendConfig { Address = backend.Address }] };
        var proxy = await ProxyHarness.StartAsync(Of(Web(route), pool));
        return (backend, proxy);
    }

    private static async Task<HttpResponseMessage> GetAsync(ProxyHarness proxy, string path, string? acceptEncoding, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (acceptEncoding is not null) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        return await proxy.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public static byte[] Decode(string coding, byte[] body)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = coding switch
        {
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            "br" => new BrotliStream(input, CompressionMode.Decompress),
            "zstd" => new ZstdSharp.DecompressionStream(input),
            _ => throw new ArgumentException(coding),
        };
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("zstd")]
    public async Task EachCoding_DecodesToTheBackendsBytes_WithVaryAWeakETagAndNoLength(string coding)
    {
        var (backend, proxy) = await StartAsync();
        await using var _ = backend;
        await using var __ = proxy;

        using var response = await GetAsync(proxy, "/text?size=100000", coding);
        var length = response.Content.Headers.ContentLength; // read before the body: buffering it computes one
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([coding], response.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Equal("W/\"v1\"", response.Headers.ETag!.ToString());
        Assert.Null(length);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.False(response.Headers.Contains("Accept-Ranges"), "a range of the encoded body is not a range of the backend's");
        Assert.True(body.Length < 100000 / 4, $"{coding} should shrink 100000 bytes of text to under a quarter, got {body.Length}");
        Assert.Equal(ContentBackend.Text(100000), Decode(coding, body));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("zstd")]
    public async Task ABodyLongerThanTheWindows_DecodesWhole(string coding)
    {
        var (backend, proxy) = await StartAsync();
        await using var _ = backend;
        await using var __ = proxy;

        using var response = await GetAsync(proxy, "/chunked?size=3000000", coding);

        Assert.Equal([coding], response.Content.Headers.ContentEncoding);
        Assert.Equal(ContentBackend.Text(3_000_000), Decode(coding, await response.Content.ReadAsByteArrayAsync()));
    }

    [Theory]
    [InlineData("gzip;q=1, br;q=0.5, zstd;q=0.1", "gzip")]
    [InlineData("gzip, br, zstd", "zstd")]                 // equal weights: the route's order (zstd, br, gzip by default)
    [InlineData("br;q=0.9, gzip;q=0.9", "br")]
    [InlineData("*", "zstd")]
    [InlineData("gzip;q=0, *;q=0.5", "zstd")]
    [InlineData("x-gzip", "gzip")]
    [InlineData("GZIP ; Q=0.8", "gzip")]
    [InlineData("identity", null)]
    [InlineData("gzip;q=0", null)]
    [InlineData("deflate, compress", null)]
    [InlineData("gzip;q=2", null)]                         // a weight that breaks the grammar takes nothing
    public async Task AcceptEncoding_ChoosesByWeightThenRouteOrder_AndQZeroRefuses(string accept, string? expected)
    {
        var (backend, proxy) = await StartAsync();
        await using var _ = backend;
        await using var __ = proxy;

        using var response = await GetAsync(proxy, "/text?size=20000", accept);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        if (expected is null)
        {
            Assert.Empty(response.Content.Headers.ContentEncoding);
            Assert.Equal(20000, response.Content.Headers.ContentLength);
            Assert.Equal("\"v1\"", response.Headers.ETag!.ToString());
            Assert.Equal(ContentBackend.Text(20000), body);
        }
        else
        {
            Assert.Equal([expected], response.Content.Headers.ContentEncoding);
            Assert.Equal(ContentBackend.Text(20000), Decode(expected, body));
        }
    }

    [Fact]
    public async Task TheRoutesEncodingsOnly_InItsOrder()
    {
        var (backend, proxy) = await StartAsync(new CompressConfig { Encodings = [ContentCoding.Gzip, ContentCoding.Brotli] });
        await using var _ = backend;
        await using var __ = proxy;

        using var tie = await GetAsync(proxy, "/text?size=20000", "br, gzip, zstd");
        using var zstdOnly = await GetAsync(proxy, "/text?size=20000", "zstd");

        Assert.Equal(["gzip"], tie.Content.Headers.ContentEncoding);
        Assert.Empty(zstdOnly.Content.Headers.ContentEncoding);
    }

    [Theory]
    [InlineData("/text?size=1000")]          // below min-size (1 KiB)
    [InlineData("/png?size=50000")]          // not a type worth encoding
    [InlineData("/no-transform?size=50000")] // the origin forbids it (RFC 9110 section 7.7)
    public async Task SmallBodies_OtherTypes_AndNoTransform_PassUntouched(string path)
    {
        var (backend, proxy) = await StartAsync();
        await using var _ = backend;
        await using var __ = proxy;
        var size = int.Parse(path[(path.IndexOf('=') + 1)..]);

        using var response = await GetAsync(proxy, path, "gzip, br, zstd");
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal(size, response.Content.Headers.ContentLength);
        Assert.Equal(ContentBackend.Text(size), body);
    }

    [Fact]
    public async Task AnAlreadyEncodedBody_IsNeverEncodedTwice()
    {
        var (backend, proxy) = await StartAsync();
        await using var _ = backend;
        await using var __ = proxy;

        using var response = await GetAsync(proxy, "/encoded?size=50000", "br, zstd, gzip");
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        Assert.Equal(ContentBackend.Gzip(ContentBackend.Text(50000)), body);
        Assert.Equal(ContentBackend.Text(50000), Decode("gzip", body));
    }

    [Fact]
    public async Task HeadAnswers_AreNotEncoded_ButSayTheyVary()
    {
        var (backend, proxy) = await StartAsync();
        await using var _ = backend;
        await using var __ = proxy;

        using var head = await GetAsync(proxy, "/text?size=50000", "gzip", HttpMethod.Head);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(head.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", head.Headers.Vary);
    }

    [Fact]
    public async Task ABodyWithoutALength_IsEncoded_AndAClientWithoutAcceptEncodingGetsItPlain()
    {
        var (backend, proxy) = await StartAsync();
        await using var _ = backend;
        await using var __ = proxy;

        using var encoded = await GetAsync(proxy, "/chunked?size=300000", "gzip");
        using var plain = await GetAsync(proxy, "/chunked?size=300000", null);

        Assert.Equal(ContentBackend.Text(300000), Decode("gzip", await encoded.Content.ReadAsByteArrayAsync()));
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.Equal(ContentBackend.Text(300000), await plain.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("zstd")]
    public async Task AStreamedAnswer_ReachesTheClientAsItComes_NotWhenTheEncoderFills(string coding)
    {
        var (backend, proxy) = await StartAsync(new CompressConfig { MinSize = 0 });
        await using var _ = backend;
        await using var __ = proxy;

        using var request = new HttpRequestMessage(HttpMethod.Get, "/held?size=1000");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", coding);
        using var response = await proxy.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var encoded = await response.Content.ReadAsStreamAsync();
        await using Stream decoder = coding switch
        {
            "gzip" => new GZipStream(encoded, CompressionMode.Decompress),
            "br" => new BrotliStream(encoded, CompressionMode.Decompress),
            _ => new ZstdSharp.DecompressionStream(encoded),
        };

        // The backend holds the rest until released: the first line must be readable before that.
        var first = new byte[ContentBackend.HeldFirstLine.Length];
        await decoder.ReadExactlyAsync(first).AsTask().WaitAsync(Poll.Deadline);
        Assert.Equal(ContentBackend.HeldFirstLine, Encoding.ASCII.GetString(first));

        backend.Release();
        using var rest = new MemoryStream();
        await decoder.CopyToAsync(rest);
        Assert.Equal(ContentBackend.Text(1000), rest.ToArray());
    }

    [Fact]
    public async Task FixedAnswers_AreEncodedLikeABackends()
    {
        var route = Respond(Encoding.ASCII.GetString(ContentBackend.Text(5000))) with { Compress = new CompressConfig() };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(route)));

        using var response = await GetAsync(proxy, "/", "br");

        Assert.Equal(["br"], response.Content.Headers.ContentEncoding);
        Assert.Equal(ContentBackend.Text(5000), Decode("br", await response.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task HttpClientsOwnDecompression_ReadsGzipAndBrotli()
    {
        var (backend, proxy) = await StartAsync();
        await using var _ = backend;
        await using var __ = proxy;
        using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Brotli, UseProxy = false })
        {
            BaseAddress = proxy.Url(),
        };

        var body = await client.GetByteArrayAsync("/json?size=70000");

        Assert.Equal(ContentBackend.Text(70000), body);
    }

    [Fact]
    public async Task WithACache_EachEncodingIsStoredOnce_AndAHitIsServedEncodedAsStored()
    {
        await using var backend = await ContentBackend.StartAsync();
        var route = ToPool("app") with { Compress = new CompressConfig(), Cache = new CacheConfig() };
        var pool = new PoolConfig { Name = "app", Backends = [new BackendConfig { Address = backend.Address }] };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(route), pool));
        var expected = ContentBackend.Text(50_000);

        foreach (var coding in new[] { "gzip", "gzip", "br", "br", "identity", "identity" })
        {
            using var response = await GetAsync(proxy, "/cacheable?size=50000", coding);
            var body = await response.Content.ReadAsByteArrayAsync();
            var status = string.Join(", ", response.Headers.GetValues("Cache-Status"));
            Assert.Contains("Accept-Encoding", response.Headers.Vary);
            if (coding == "identity")
            {
                Assert.Empty(response.Content.Headers.ContentEncoding);
                Assert.Equal(expected, body);
            }
            else
            {
                Assert.Equal([coding], response.Content.Headers.ContentEncoding);
                Assert.Equal(expected, Decode(coding, body));
            }
        }

        // Three variants, each fetched once: the second request of each was a hit.
        Assert.Equal(3, backend.Requests);
    }

    [Fact]
    public async Task WithoutCompress_NothingChanges()
    {
        await using var backend = await ContentBackend.StartAsync();
        var pool = new PoolConfig { Name = "app", Backends = [new BackendConfig { Address = backend.Address }] };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), pool));

        using var response = await GetAsync(proxy, "/text?size=50000", "gzip");

        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.DoesNotContain("Accept-Encoding", response.Headers.Vary);
        Assert.Equal(ContentBackend.Text(50000), await response.Content.ReadAsByteArrayAsync());
    }
}
