using System.Net;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.BackendLeg;

/// <summary>How the lean backend leg reads a backend's answer: framing (RFC 9112 section 6.3), interim responses, hop-by-hop headers.</summary>
public sealed class FramingTests
{
    [Fact]
    public async Task ChunkedResponse_IsDecodedForTheClient_AndTheConnectionIsReused()
    {
        await using var backend = RawBackend.KeepAlive(_ =>
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("raw")), backend.Pool("raw")));

        for (var i = 0; i < 3; i++)
        {
            using var response = await proxy.Client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("hello world", await response.Content.ReadAsStringAsync());
            Assert.Equal("chunked", response.Headers.GetValues("X-Kind").Single());
        }

        Assert.Equal(1, backend.Accepted);
    }

    [Fact]
    public async Task CloseDelimitedResponse_IsReadToTheEnd_AndTheConnectionIsNotReused()
    {
        await using var backend = RawBackend.Start(async connection =>
        {
            await connection.ReadRequestAsync();
            await connection.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
            await connection.WriteAsync(new string('z', 100_000));
        });
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("raw")), backend.Pool("raw")));

        for (var i = 0; i < 2; i++)
        {
            using var response = await proxy.Client.GetAsync("/");
            Assert.Equal(new string('z', 100_000), await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(2, backend.Accepted);
    }

    [Fact]
    public async Task InterimResponses_AreSkipped_AndTheFinalAnswerReachesTheClient()
    {
        await using var backend = RawBackend.KeepAlive(request =>
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
            + $"HTTP/1.1 201 Created\r\nContent-Length: {request.Body.Length}\r\n\r\n" + System.Text.Encoding.Latin1.GetString(request.Body));
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("raw")), backend.Pool("raw")));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("payload") };
        request.Headers.ExpectContinue = true;
        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("payload", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("HEAD", "200 OK", "Content-Length: 1000\r\n")]
    [InlineData("GET", "204 No Content", "")]
    [InlineData("GET", "304 Not Modified", "Content-Length: 1000\r\nETag: \"v1\"\r\n")]
    public async Task ResponsesWithoutABody_EndAtTheirHead_AndTheConnectionIsReused(string method, string status, string headers)
    {
        await using var backend = RawBackend.KeepAlive(_ => $"HTTP/1.1 {status}\r\n{headers}\r\n");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("raw")), backend.Pool("raw")));

        for (var i = 0; i < 3; i++)
        {
            using var response = await proxy.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/"));
            Assert.Equal(int.Parse(status[..3]), (int)response.StatusCode);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(1, backend.Accepted);
    }

    [Fact]
    public async Task HopByHopHeaders_AreNotForwarded_EitherWay()
    {
        RawRequest? seen = null;
        await using var backend = RawBackend.KeepAlive(request =>
        {
            seen = request;
            return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=5\r\nConnection: keep-alive, X-Internal\r\nX-Internal: secret\r\nX-Public: yes\r\n\r\nok";
        });
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("raw")), backend.Pool("raw")));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/path?q=1");
        request.Headers.TryAddWithoutValidation("Connection", "X-Hop");
        request.Headers.TryAddWithoutValidation("X-Hop", "1");
        request.Headers.TryAddWithoutValidation("Keep-Alive", "timeout=1");
        request.Headers.TryAddWithoutValidation("X-End", "2");
        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.Contains("X-Public"));
        Assert.False(response.Headers.Contains("X-Internal"));
        Assert.False(response.Headers.Contains("Keep-Alive"));
        Assert.Equal("GET /path?q=1 HTTP/1.1", seen!.RequestLine);
        Assert.Equal("2", seen.Header("X-End"));
        Assert.Null(seen.Header("X-Hop"));
        Assert.Null(seen.Header("Keep-Alive"));
        Assert.Null(seen.Header("Connection"));
        Assert.StartsWith("127.0.0.1:", seen.Header("Host")); // the client's Host is kept
    }
}
