using System.Text;
using Fulcrum.L7.BackendHttp;

namespace Fulcrum.L7.Tests.BackendLeg;

/// <summary>
/// The backend leg's response-head parser on its own: what it takes, what it refuses, and that it refuses as soon as
/// the bytes so far can begin no valid head (RFC 9112 sections 2.2, 4, 5 and 6.3).
/// </summary>
public sealed class ResponseHeadTests
{
    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", 200, 2L, false)]
    [InlineData("HTTP/1.1 200\r\n\r\n", 200, -1L, false)]
    [InlineData("HTTP/1.1 204 \r\n\r\n", 204, -1L, false)]
    [InlineData("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n", 404, 0L, false)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 200, -1L, true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 10\r\n\r\n", 200, 10L, true)]
    [InlineData("HTTP/1.1 200 OK\r\nX-Tab:\tvalue\t\r\nX-Latin: caf\u00e9\r\nX-Empty:\r\nContent-Length: 2\r\n\r\n", 200, 2L, false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n", 200, 2L, false)]
    [InlineData("HTTP/1.1 599 Last\r\n\r\n", 599, -1L, false)]
    public void ValidHead_Parses(string text, int status, long contentLength, bool chunked)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        Assert.Equal(bytes.Length, ResponseHead.FindEnd(bytes));
        Assert.True(ResponseHead.TryParse(bytes, out var head));
        Assert.Equal(status, head.Status);
        Assert.Equal(contentLength, head.ContentLength);
        Assert.Equal(chunked, head.Chunked);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 10\r\n\r\n", true)]
    [InlineData("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", false)]
    public void BothFramings_CloseTheConnectionAfterTheAnswer(string text, bool close)
    {
        Assert.True(ResponseHead.TryParse(Encoding.Latin1.GetBytes(text), out var head));
        Assert.Equal(close, head.ConnectionClose);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n")]            // space in the name
    [InlineData("HTTP/1.1 200 OK\r\nX-Name : x\r\n\r\n")]               // whitespace before the colon
    [InlineData("HTTP/1.1 200 OK\r\nX(y): z\r\n\r\n")]                  // not a token
    [InlineData("HTTP/1.1 200 OK\r\nN\u00e4me: z\r\n\r\n")]             // not ASCII
    [InlineData("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\n\r\n")]        // obs-fold
    [InlineData("HTTP/1.1 200 OK\r\nX-Ctl: a\u0001b\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-Del: a\u007fb\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-Nul: a\u0000b\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")]
    public void InvalidHeaderLine_IsRefused(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        Assert.False(ResponseHead.FindEnd(bytes) > 0 && ResponseHead.TryParse(bytes, out _));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\nContent-Length: 2\n\n")]       // bare LF, and no CRLF ever
    [InlineData("HTTP/1.1 200 OK\rX-Smuggled: yes")]             // bare CR in the status line
    [InlineData("HTTP/1.1 200 OK\r\nX-A: 1\nX-B: 2\r\n")]         // bare LF inside a header line
    [InlineData("HTTP/1.1 200 OK\r\nX-A: 1\rX-B: 2\r\n")]         // bare CR inside a header line
    [InlineData("HTTP/1.1 200 O\u0000K\r\n")]
    [InlineData("HTTP/1.1 200 OK\u007f\r\n")]
    [InlineData("HTTP/2 200\r\n")]
    [InlineData("HTTP/1.2 200 OK\r\n")]
    [InlineData("HTTP/1.1 20 OK\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n")]
    [InlineData("HTTP/1.1 2x0 OK\r\n")]
    [InlineData("HTTP/1.1 +20 OK\r\n")]
    [InlineData("HTTP/1.1 099 Low\r\n")]
    [InlineData("HTTP/1.1 600 Beyond\r\n")]
    [InlineData("HTTP/1.1  200 OK\r\n")]
    [InlineData("HTTP/1.1\t200 OK\r\n")]
    [InlineData("http/1.1 200 OK\r\n")]
    [InlineData("ICY 200 OK\r\n")]
    [InlineData("\r\nHTTP/1.1 200 OK\r\n")]
    [InlineData("SSH-2.0-")]                                       // refused before any line end
    [InlineData("H2")]
    public void InvalidStart_IsRefusedBeforeTheHeadIsComplete(string text)
    {
        Assert.Equal(ResponseHead.Invalid, ResponseHead.FindEnd(Encoding.Latin1.GetBytes(text)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("HTT")]
    [InlineData("HTTP/1.1 200 OK")]
    [InlineData("HTTP/1.1 200 OK\r")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: 1\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: 1\r\n\r")]
    public void IncompleteHead_AsksForMore(string text)
    {
        Assert.Equal(-1, ResponseHead.FindEnd(Encoding.Latin1.GetBytes(text)));
    }
}
