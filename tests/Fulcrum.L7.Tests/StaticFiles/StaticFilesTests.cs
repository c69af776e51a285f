using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Compression;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.StaticFiles;

/// <summary>A `static` route serving a real folder through a real listener (docs/routing.md, "static").</summary>
public sealed class StaticFilesTests : IDisposable
{
    private const string Secret = "the secret outside the root\n";
    private readonly string _dir = Directory.CreateTempSubdirectory("fulcrum-static-").FullName;
    private readonly string _root;
    private readonly byte[] _big = ContentBackend.Text(200_000);
    private readonly byte[] _script = ContentBackend.Text(30_000);

    public StaticFilesTests()
    {
        _root = Directory.CreateDirectory(Path.Combine(_dir, "www")).FullName;
        File.WriteAllText(Path.Combine(_dir, "secret.txt"), Secret);
        File.WriteAllText(Path.Combine(_root, "index.html"), "<h1>home</h1>\n");
        File.WriteAllBytes(Path.Combine(_root, "big.txt"), _big);
        File.WriteAllBytes(Path.Combine(_root, "app.js"), _script);
        // Precompressed siblings, written after the file so they are not older than it.
        File.WriteAllBytes(Path.Combine(_root, "app.js.gz"), ContentBackend.Gzip(_script));
        File.WriteAllBytes(Path.Combine(_root, "app.js.br"), Brotli(_script));
        File.WriteAllText(Path.Combine(_root, ".env"), "PASSWORD=hunter2\n");
        Directory.CreateDirectory(Path.Combine(_root, "docs"));
        File.WriteAllText(Path.Combine(_root, "docs", "index.html"), "<h1>docs</h1>\n");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<ProxyHarness> StartAsync(CompressConfig? compress = null) =>
        ProxyHarness.StartAsync(Of(Web(new RouteConfig { Static = new StaticFilesConfig { Root = _root }, Compress = compress })));

    private static byte[] Brotli(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.SmallestSize)) brotli.Write(bytes);
        return output.ToArray();
    }

    private static async Task<HttpResponseMessage> GetAsync(ProxyHarness proxy, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return await proxy.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    // The request line exactly as written: HttpClient would resolve the dot segments away before sending.
    private static async Task<(int Status, string Text)> RawAsync(ProxyHarness proxy, string target)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.Url().Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: files\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.Latin1);
        var text = await reader.ReadToEndAsync().WaitAsync(Poll.Deadline);
        return (int.Parse(text.AsSpan(9, 3)), text);
    }

    [Fact]
    public async Task AFile_ComesWithItsTypeLengthAndValidators_AndAFolderWithItsIndex()
    {
        await using var proxy = await StartAsync();

        using var file = await GetAsync(proxy, "/big.txt");
        using var home = await GetAsync(proxy, "/");
        using var docs = await GetAsync(proxy, "/docs/");
        using var folder = await GetAsync(proxy, "/docs?x=1");

        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("text/plain", file.Content.Headers.ContentType!.MediaType);
        Assert.Equal(_big.Length, file.Content.Headers.ContentLength);
        Assert.Equal("bytes", file.Headers.AcceptRanges.Single());
        Assert.False(file.Headers.ETag!.IsWeak);
        Assert.NotNull(file.Content.Headers.LastModified);
        Assert.Equal(_big, await file.Content.ReadAsByteArrayAsync());
        Assert.Equal("<h1>home</h1>\n", await home.Content.ReadAsStringAsync());
        Assert.Equal("<h1>docs</h1>\n", await docs.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.MovedPermanently, folder.StatusCode);
        Assert.Equal("/docs/?x=1", folder.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task IfNoneMatch_OrIfModifiedSince_AnswerNotModified_AndAnotherETagTheFile()
    {
        await using var proxy = await StartAsync();
        using var first = await GetAsync(proxy, "/big.txt");
        var etag = first.Headers.ETag!.ToString();
        var modified = first.Content.Headers.LastModified!.Value.ToString("R");

        using var same = await GetAsync(proxy, "/big.txt", ("If-None-Match", etag));
        using var weakSame = await GetAsync(proxy, "/big.txt", ("If-None-Match", "\"other\", W/" + etag));
        using var since = await GetAsync(proxy, "/big.txt", ("If-Modified-Since", modified));
        using var changed = await GetAsync(proxy, "/big.txt", ("If-None-Match", "\"other\""), ("If-Modified-Since", modified));

        Assert.Equal(HttpStatusCode.NotModified, same.StatusCode);
        Assert.Equal(etag, same.Headers.ETag!.ToString());
        Assert.Empty(await same.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, weakSame.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, since.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode); // If-None-Match decides when present (RFC 9110 section 13.2.2)
    }

    [Theory]
    [InlineData("bytes=0-99", 0, 100)]
    [InlineData("bytes=1000-", 1000, 199_000)]
    [InlineData("bytes=-500", 199_500, 500)]
    [InlineData("bytes=199990-300000", 199_990, 10)]
    public async Task ARange_AnswersPartialContent_WithThoseBytes(string range, int start, int length)
    {
        await using var proxy = await StartAsync();

        using var response = await GetAsync(proxy, "/big.txt", ("Range", range));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {start}-{start + length - 1}/{_big.Length}", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(length, response.Content.Headers.ContentLength);
        Assert.Equal(_big.AsSpan(start, length).ToArray(), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task RangesPastTheEnd_Several_OrForAnOldCopy_AnswerAsTheRfcSays()
    {
        await using var proxy = await StartAsync();
        using var first = await GetAsync(proxy, "/big.txt");
        var etag = first.Headers.ETag!.ToString();

        using var past = await GetAsync(proxy, "/big.txt", ("Range", "bytes=300000-"));
        using var several = await GetAsync(proxy, "/big.txt", ("Range", "bytes=0-1,5-6"));
        using var current = await GetAsync(proxy, "/big.txt", ("Range", "bytes=0-9"), ("If-Range", etag));
        using var stale = await GetAsync(proxy, "/big.txt", ("Range", "bytes=0-9"), ("If-Range", "\"stale\""));

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, past.StatusCode);
        Assert.Equal($"bytes */{_big.Length}", past.Content.Headers.ContentRange!.ToString());
        Assert.Equal(HttpStatusCode.OK, several.StatusCode);
        Assert.Equal(_big.Length, several.Content.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.PartialContent, current.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
    }

    [Theory]
    [InlineData("br", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("gzip, br", "br")]
    [InlineData("br;q=0.5, gzip", "gzip")]
    [InlineData("zstd", null)] // no .zst sibling: the file itself
    public async Task APrecompressedSibling_IsSentToClientsThatTakeIt(string accept, string? coding)
    {
        await using var proxy = await StartAsync();

        using var response = await GetAsync(proxy, "/app.js", ("Accept-Encoding", accept));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("text/javascript", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        if (coding is null)
        {
            Assert.Empty(response.Content.Headers.ContentEncoding);
            Assert.Equal(_script, body);
        }
        else
        {
            Assert.Equal([coding], response.Content.Headers.ContentEncoding);
            Assert.Equal(_script, CompressionTests.Decode(coding, body));
        }
    }

    [Fact]
    public async Task WithCompress_AFileWithoutSibling_IsEncodedOnTheFly()
    {
        await using var proxy = await StartAsync(new CompressConfig());

        using var response = await GetAsync(proxy, "/big.txt", ("Accept-Encoding", "zstd"));

        Assert.Equal(["zstd"], response.Content.Headers.ContentEncoding);
        Assert.True(response.Headers.ETag!.IsWeak);
        Assert.Equal(_big, CompressionTests.Decode("zstd", await response.Content.ReadAsByteArrayAsync()));
    }

    [Theory]
    [InlineData("/../secret.txt")]
    [InlineData("/docs/../../secret.txt")]
    [InlineData("/%2e%2e/secret.txt")]
    [InlineData("/%2E%2E/%2e%2e/secret.txt")]
    [InlineData("/.%2e/secret.txt")]
    [InlineData("/docs/..%2f..%2fsecret.txt")]
    [InlineData("/..%5csecret.txt")]
    [InlineData("/docs\\..\\..\\secret.txt")]
    [InlineData("/secret.txt%00.html")]
    public async Task PathsThatLeaveTheRoot_AreRefused(string target)
    {
        await using var proxy = await StartAsync();

        var (status, text) = await RawAsync(proxy, target);

        Assert.True(status == 400, $"{target} should be refused with 400, got {status}");
        Assert.DoesNotContain(Secret.Trim(), text);
    }

    [Theory]
    [InlineData("/.env")]
    [InlineData("/missing.txt")]
    [InlineData("/docs/missing/")]
    public async Task HiddenAndMissingFiles_AreNotFound(string path)
    {
        await using var proxy = await StartAsync();

        using var response = await GetAsync(proxy, path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("hunter2", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OtherMethods_Get405_AndHeadGetsTheHeadersOnly()
    {
        await using var proxy = await StartAsync();

        using var post = await proxy.Client.PostAsync("/big.txt", new StringContent("x"));
        using var head = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/big.txt"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(["GET", "HEAD"], post.Content.Headers.Allow);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(_big.Length, head.Content.Headers.ContentLength);
    }
}
