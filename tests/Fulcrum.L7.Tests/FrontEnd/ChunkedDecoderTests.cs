using System.Text;
using Fulcrum.L7.FrontEnd.Http1;

namespace Fulcrum.L7.Tests.FrontEnd;

public sealed class ChunkedDecoderTests
{
    // Feeds the body one byte at a time or whole; returns the data, or null when the framing is refused.
    private static string? Decode(string body, bool byteByByte = false)
    {
        var decoder = new ChunkedDecoder();
        decoder.Reset(1024);
        var bytes = Encoding.Latin1.GetBytes(body);
        var data = new StringBuilder();
        var buffered = new List<byte>();
        var fed = 0;
        while (true)
        {
            var status = decoder.Next(buffered.ToArray(), out var consumed);
            buffered.RemoveRange(0, consumed);
            switch (status)
            {
                case ChunkedStatus.End:
                    return data.ToString();
                case ChunkedStatus.Invalid:
                    return null;
                case ChunkedStatus.Data:
                    var take = (int)Math.Min(decoder.Remaining, buffered.Count);
                    data.Append(Encoding.Latin1.GetString(buffered.GetRange(0, take).ToArray()));
                    buffered.RemoveRange(0, take);
                    decoder.Took(take);
                    continue;
            }

            if (fed == bytes.Length) return "<incomplete>";
            var n = byteByByte ? 1 : bytes.Length - fed;
            buffered.AddRange(bytes.AsSpan(fed, n).ToArray());
            fed += n;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ChunkedBody_IsDecoded_HoweverItArrives(bool byteByByte) =>
        Assert.Equal("hello world", Decode("5\r\nhello\r\n6;a=b;c=\"d\"\r\n world\r\n0\r\nX-T: 1\r\n\r\n", byteByByte));

    [Theory]
    [InlineData("FFFFFFFFFFFFFFFFF1\r\nhello\r\n0\r\n\r\n")]      // overflow
    [InlineData("5;a\nGET /smuggled HTTP/1.1\r\n\r\nhello\r\n0\r\n\r\n")] // CVE-2025-55315
    [InlineData("5\nhello\r\n0\r\n\r\n")]                          // bare LF
    [InlineData("3\r\nhello\r\n0\r\n\r\n")]                        // data longer than the size
    [InlineData("5 5\r\nhello\r\n0\r\n\r\n")]                      // space in the size
    [InlineData("0x5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("-5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("\r\nhello\r\n0\r\n\r\n")]                          // no size
    [InlineData("5;=x\r\nhello\r\n0\r\n\r\n")]                     // malformed extension
    [InlineData("5\r\nhello\r\n0\r\nX A: 1\r\n\r\n")]              // malformed trailer
    [InlineData("5\r\nhello\n0\r\n\r\n")]                           // data not followed by CRLF
    public void MalformedChunking_IsRefused(string body)
    {
        Assert.Null(Decode(body));
        Assert.Null(Decode(body, byteByByte: true));
    }

    [Fact]
    public void OverlongChunkLine_IsRefused_BeforeItEnds() =>
        Assert.Null(Decode("5;" + new string('a', ChunkedDecoder.MaxChunkLine + 10)));

    [Fact]
    public void OversizeTrailers_AreRefused() =>
        Assert.Null(Decode("0\r\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"X-{i}: vvvvvvvvvvvvvvvvvvv\r\n")) + "\r\n"));
}
