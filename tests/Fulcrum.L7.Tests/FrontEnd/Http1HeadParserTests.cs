using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.FrontEnd.Http1;

namespace Fulcrum.L7.Tests.FrontEnd;

public sealed class Http1HeadParserTests
{
    private static readonly Http1Limits Limits = Http1Limits.From(HttpLimitsConfig.Default);

    private static (Http1ParseResult Result, Http1RequestHead Head) Parse(string text, Http1Limits? limits = null)
    {
        var head = new Http1RequestHead();
        return (Http1HeadParser.Parse(Encoding.Latin1.GetBytes(text), limits ?? Limits, head), head);
    }

    [Fact]
    public void Get_IsReadWithItsPathQueryAndHeaders()
    {
        const string text = "GET /a/b?x=1 HTTP/1.1\r\nHost: example.test:8080\r\nX-A:  one \r\nx-a: two\r\n\r\nNEXT";
        var (result, head) = Parse(text);

        Assert.Equal(Http1ParseStatus.Done, result.Status);
        Assert.Equal(text.Length - 4, result.Consumed);
        Assert.Equal("GET", head.Method);
        Assert.Equal("/a/b", head.RawPath);
        Assert.Equal("?x=1", head.RawQuery);
        Assert.Equal("example.test:8080", head.Host);
        Assert.Equal("one,two", head.Headers["X-A"].ToString());
        Assert.True(head.KeepAlive);
        Assert.Equal(Http1BodyFraming.None, head.Framing);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r")]
    [InlineData("GET / HTTP/1.1\r\nHo")]
    [InlineData("GET / HT")]
    [InlineData("")]
    public void PartialHead_AsksForMore(string text) => Assert.Equal(Http1ParseStatus.Incomplete, Parse(text).Result.Status);

    [Theory]
    [InlineData("GET / HTTP/1.1\nHost: a\n\n", 400)]                          // bare LF
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", 400)]       // bare CR
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400)]     // obs-fold
    [InlineData("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400)]                   // whitespace before the first field
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n", 400)]         // space before colon
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A\t: b\r\n\r\n", 400)]        // tab before colon
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n", 400)]         // separator in a name
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400)]             // empty name
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A b\r\n\r\n", 400)]           // no colon
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n", 400)]       // NUL in a value
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: \u000bb\r\n\r\n", 400)]    // vertical tab in a value
    [InlineData("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400)]                    // method not a token
    [InlineData("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400)]                 // space in the target
    [InlineData("GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400)]                 // fragment
    [InlineData("GET /\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n", 400)]              // non-ASCII target
    [InlineData("GET a HTTP/1.1\r\nHost: a\r\n\r\n", 400)]                    // not origin-form
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400)]                   // two spaces
    [InlineData("GET /\r\n\r\n", 400)]                                        // HTTP/0.9
    [InlineData("GET / http/1.1\r\nHost: a\r\n\r\n", 400)]                    // version is case-sensitive
    [InlineData("GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505)]
    [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505)]
    [InlineData("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 405)]
    public void MalformedHead_IsRefused_WithItsStatus(string text, int status)
    {
        var (result, _) = Parse(text);
        Assert.Equal(Http1ParseStatus.Refused, result.Status);
        Assert.Equal(status, result.RefuseStatus);
    }

    [Theory]
    [InlineData("Host: a\r\nHost: b\r\n")]                                             // two hosts
    [InlineData("")]                                                                    // no host in HTTP/1.1
    [InlineData("Host: a b\r\n")]                                                       // host with a space
    [InlineData("Host: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n")]      // TE + CL
    [InlineData("Host: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n")]      // CL + TE
    [InlineData("Host: a\r\nTransfer-Encoding: chunked, chunked\r\n")]
    [InlineData("Host: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")]
    [InlineData("Host: a\r\nTransfer-Encoding: chunked, identity\r\n")]
    [InlineData("Host: a\r\nTransfer-Encoding: gzip, chunked\r\n")]
    [InlineData("Host: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n")]               // duplicate CL
    [InlineData("Host: a\r\nContent-Length: 5, 5\r\n")]
    [InlineData("Host: a\r\nContent-Length: -1\r\n")]
    [InlineData("Host: a\r\nContent-Length: +5\r\n")]
    [InlineData("Host: a\r\nContent-Length: 0x5\r\n")]
    [InlineData("Host: a\r\nContent-Length: 1_0\r\n")]
    [InlineData("Host: a\r\nContent-Length: 99999999999999999999\r\n")]                 // overflow
    [InlineData("Host: a\r\nContent-Length: \r\n")]
    public void AmbiguousFraming_Is400(string fields)
    {
        var (result, _) = Parse("POST / HTTP/1.1\r\n" + fields + "\r\n");
        Assert.Equal(Http1ParseStatus.Refused, result.Status);
        Assert.Equal(400, result.RefuseStatus);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("xchunked")]
    public void UnknownTransferCoding_Is501(string coding)
    {
        var (result, _) = Parse($"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: {coding}\r\n\r\n");
        Assert.Equal(501, result.RefuseStatus);
    }

    [Fact]
    public void TransferEncodingInHttp10_Is400() =>
        Assert.Equal(400, Parse("POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").Result.RefuseStatus);

    [Theory]
    [InlineData("Transfer-Encoding: chunked", 2, 0)]
    [InlineData("Transfer-Encoding:\tCHUNKED ", 2, 0)]
    [InlineData("Content-Length: 5", 1, 5)]
    [InlineData("Content-Length: 0", 0, 0)]
    public void BodyFraming_IsRead(string field, int framing, long length)
    {
        var (result, head) = Parse($"POST / HTTP/1.1\r\nHost: a\r\n{field}\r\n\r\n");
        Assert.Equal(Http1ParseStatus.Done, result.Status);
        Assert.Equal((Http1BodyFraming)framing, head.Framing);
        Assert.Equal(length, head.ContentLength);
    }

    [Fact]
    public void LongRequestLine_Is414_EvenBeforeItEnds()
    {
        var (result, _) = Parse("GET /" + new string('a', 9000));
        Assert.Equal(414, result.RefuseStatus);
    }

    [Fact]
    public void LargeHeaderSection_Is431_EvenBeforeItEnds()
    {
        var (result, _) = Parse("GET / HTTP/1.1\r\nHost: a\r\nX-A: " + new string('a', 40_000));
        Assert.Equal(431, result.RefuseStatus);
    }

    [Fact]
    public void TooManyHeaders_Is431()
    {
        var fields = string.Concat(Enumerable.Range(0, 101).Select(i => $"X-{i}: v\r\n"));
        Assert.Equal(431, Parse("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n").Result.RefuseStatus);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true)]
    public void KeepAlive_FollowsVersionAndConnection(string text, bool keepAlive)
    {
        var (result, head) = Parse(text);
        Assert.Equal(Http1ParseStatus.Done, result.Status);
        Assert.Equal(keepAlive, head.KeepAlive);
    }

    [Fact]
    public void AbsoluteForm_TakesItsPath_WhenItsAuthorityIsTheHost()
    {
        var (result, head) = Parse("GET http://A/x?q HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(Http1ParseStatus.Done, result.Status);
        Assert.Equal("/x", head.RawPath);
        Assert.Equal("?q", head.RawQuery);
    }

    [Fact]
    public void AbsoluteForm_NamingAnotherHost_Is400() =>
        Assert.Equal(400, Parse("GET http://b/ HTTP/1.1\r\nHost: a\r\n\r\n").Result.RefuseStatus);

    [Fact]
    public void ExpectContinue_IsNoted_OnlyWithABody()
    {
        Assert.True(Parse("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n").Head.ExpectContinue);
        Assert.False(Parse("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n").Head.ExpectContinue);
    }

    [Fact]
    public void ObsText_InAValue_Is400_AsKestrelAnswers() =>
        Assert.Equal(400, Parse("GET / HTTP/1.1\r\nHost: a\r\nX-A: caf\u00e9\r\n\r\n").Result.RefuseStatus);

    [Fact]
    public void EmptyValue_IsKept() =>
        Assert.Equal("", Parse("GET / HTTP/1.1\r\nHost: a\r\nX-E:\r\n\r\n").Head.Headers["X-E"].Single());

    [Fact]
    public void KnownHeaderName_IsInterned()
    {
        var (_, head) = Parse("GET / HTTP/1.1\r\nhost: a\r\nuser-agent: x\r\n\r\n");
        Assert.Same("User-Agent", head.Headers.Keys.Single(k => k == "User-Agent"));
    }
}
