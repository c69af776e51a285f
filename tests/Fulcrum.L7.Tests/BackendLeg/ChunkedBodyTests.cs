using System.Text;
using Fulcrum.L7.BackendHttp;
using Fulcrum.L7.Tests.Support;

namespace Fulcrum.L7.Tests.BackendLeg;

/// <summary>
/// The backend leg's chunked decoder on its own (RFC 9112 section 7.1), at least as strict as Kestrel after
/// CVE-2025-55315: a bare LF or CR anywhere in the framing, a size that could overflow, or an extension that is not
/// `;name[=token|"quoted"]` fails the body instead of being read past.
/// </summary>
public sealed class ChunkedBodyTests
{
    [Theory]
    [InlineData("5\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world")]
    [InlineData("A\r\n0123456789\r\n0\r\n\r\n", "0123456789")]
    [InlineData("a\r\n0123456789\r\n0\r\n\r\n", "0123456789")]
    [InlineData("005\r\nhello\r\n000\r\n\r\n", "hello")]
    [InlineData("5;ext\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5;a=b;c=d\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5 ; a = b\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5;a=\"quoted; \\\"value\\\"\"\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5\t\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5\r\nhe\nlo\r\n0\r\n\r\n", "he\nlo")]                 // a bare LF in the data is data
    [InlineData("5\r\nhello\r\n0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n", "hello")]
    [InlineData("5\r\nhello\r\n0;last\r\n\r\n", "hello")]
    public async Task ValidChunkedBody_IsDecoded(string body, string expected)
    {
        var (decoded, reusable) = await DecodeAsync(body);
        Assert.Equal(expected, decoded);
        Assert.True(reusable);
    }

    [Theory]
    [InlineData("5;a\nb\r\nhello\r\n0\r\n\r\n")]         // CVE-2025-55315: a bare LF in a chunk extension
    [InlineData("5;a=\"x\ny\"\r\nhello\r\n0\r\n\r\n")]   // a bare LF in a quoted extension value
    [InlineData("5\nhello\n0\n\n")]                       // bare LF line ends
    [InlineData("5\r\nhello\n0\r\n\r\n")]                 // a bare LF after the data
    [InlineData("5\r\nhello\r\n0\n\r\n")]                 // a bare LF after the last chunk
    [InlineData("5;a\rb\r\nhello\r\n0\r\n\r\n")]         // a bare CR in a chunk extension
    [InlineData("5\rX\r\nhello\r\n0\r\n\r\n")]           // a bare CR after the size
    [InlineData("5\r\nhello\r\n0\r\nX-T: a\nb\r\n\r\n")] // a bare LF in a trailer
    [InlineData("5\r\nhello\r\n0\r\nX-T: a\rb\r\n\r\n")] // a bare CR in a trailer
    [InlineData("5\r\nhello\r\n0\r\nnot a field\r\n\r\n")]
    [InlineData("5;a\u0000\r\nhello\r\n0\r\n\r\n")]       // NUL in an extension
    [InlineData("5;\r\nhello\r\n0\r\n\r\n")]              // an empty extension name
    [InlineData("5;=b\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=b c\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=\"open\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=@\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5 x\r\nhello\r\n0\r\n\r\n")]
    [InlineData(" 5\r\nhello\r\n0\r\n\r\n")]              // whitespace before the size
    [InlineData("+5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("-5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("0x5\r\nhello\r\n0\r\n\r\n")]
    [InlineData(";a\r\nhello\r\n0\r\n\r\n")]              // no size
    [InlineData("\r\nhello\r\n0\r\n\r\n")]
    [InlineData("1000000000000000\r\nhello\r\n0\r\n\r\n")]   // 16 hex digits: could overflow
    [InlineData("FFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n")]  // 17 hex digits: does overflow a long
    [InlineData("4\r\nhello\r\n0\r\n\r\n")]               // data longer than its size
    public async Task InvalidChunkedFraming_FailsTheBody(string body)
    {
        await Assert.ThrowsAsync<InvalidDataException>(() => DecodeAsync(body));
    }

    [Fact]
    public async Task ChunkEndingBeforeItsSize_FailsTheBody()
    {
        await Assert.ThrowsAsync<IOException>(() => DecodeAsync("10\r\nshort"));
    }

    [Fact]
    public async Task EndlessTrailerSection_FailsTheBody()
    {
        var trailers = string.Concat(Enumerable.Range(0, 4000).Select(i => $"X-Trailer-{i}: {new string('t', 20)}\r\n"));
        await Assert.ThrowsAsync<InvalidDataException>(() => DecodeAsync("5\r\nhello\r\n0\r\n" + trailers + "\r\n"));
    }

    [Fact]
    public async Task BareLfInAnExtension_FailsAtOnce_EvenWithoutALaterLineEnd()
    {
        // The backend holds the connection after the bare LF: waiting for a CRLF would end only at the request-timeout.
        var stream = new HeldOpenStream(Encoding.Latin1.GetBytes("5;a\nhello"));
        using var connection = new BackendConnection(stream, null, 0) { RequestTimeout = TimeSpan.FromSeconds(30) };
        connection.RentBuffer();
        await Assert.ThrowsAsync<InvalidDataException>(() => Poll.Within(ResponseBody.CopyChunkedAsync(connection, Stream.Null).AsTask()));
    }

    private static async Task<(string Body, bool Reusable)> DecodeAsync(string body)
    {
        using var connection = new BackendConnection(new MemoryStream(Encoding.Latin1.GetBytes(body)), null, 0);
        connection.RentBuffer();
        var client = new MemoryStream();
        var reusable = await ResponseBody.CopyChunkedAsync(connection, client);
        return (Encoding.Latin1.GetString(client.ToArray()), reusable);
    }
}
