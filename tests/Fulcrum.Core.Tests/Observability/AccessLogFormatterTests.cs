using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using Fulcrum.Core.Observability;

namespace Fulcrum.Core.Tests.Observability;

public sealed class AccessLogFormatterTests
{
    [Fact]
    public void JsonLine_EscapesWhatJsonRequires_AndKeepsOtherTextAsUtf8()
    {
        var path = "/a\"b\\c\nd\te\u0001f/caf\u00e9/\ud83d\ude00";
        var line = Json(Entry() with { Path = path, Listener = "we\"b" });

        var e = JsonDocument.Parse(line).RootElement;
        Assert.Equal(path, e.GetProperty("path").GetString());
        Assert.Equal("we\"b", e.GetProperty("listener").GetString());
        Assert.Contains("caf\u00e9", line, StringComparison.Ordinal); // raw UTF-8, not \u00e9
        Assert.Contains("\\u0001", line, StringComparison.Ordinal);
        Assert.EndsWith("}\n", line, StringComparison.Ordinal);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void JsonLine_HasEveryField_WithTimingsRoundedToTheMicrosecond_AndNullsForWhatDidNotHappen()
    {
        var e = JsonDocument.Parse(Json(Entry())).RootElement;

        Assert.Equal(new DateTimeOffset(2026, 11, 23, 16, 20, 31, 112, TimeSpan.Zero), e.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("web", e.GetProperty("listener").GetString());
        Assert.Equal("http", e.GetProperty("protocol").GetString());
        Assert.Equal("127.0.0.1:53122", e.GetProperty("client").GetString());
        Assert.Equal("GET", e.GetProperty("method").GetString());
        Assert.Equal(200, e.GetProperty("status").GetInt32());
        Assert.Equal(12, e.GetProperty("bytes_in").GetInt64());
        Assert.Equal(512, e.GetProperty("bytes_out").GetInt64());
        Assert.Equal(0.041, e.GetProperty("wait_ms").GetDouble());
        Assert.Equal(JsonValueKind.Null, e.GetProperty("connect_ms").ValueKind);
        Assert.Equal(1.5, e.GetProperty("first_byte_ms").GetDouble());
        Assert.Equal(1234.006, e.GetProperty("total_ms").GetDouble());
        Assert.Equal("abc", e.GetProperty("request_id").GetString());
        Assert.False(e.GetProperty("affinity_hit").GetBoolean());
        Assert.Equal("success", e.GetProperty("outcome").GetString());
        Assert.False(e.TryGetProperty("datagrams_in", out _)); // udp only
        Assert.False(e.TryGetProperty("tls_version", out _));
    }

    [Theory]
    [InlineData("::1", 443, "[::1]:443")]
    [InlineData("::ffff:10.1.2.3", 80, "10.1.2.3:80")]
    [InlineData("192.168.0.1", 65535, "192.168.0.1:65535")]
    public void Client_IsAddressAndPort_InBothFormats(string address, int port, string expected)
    {
        var entry = Entry() with { Client = IPAddress.Parse(address), ClientPort = port };

        Assert.Equal(expected, JsonDocument.Parse(Json(entry)).RootElement.GetProperty("client").GetString());
        Assert.Equal(expected + "\n", Format("{client}", entry));
    }

    [Fact]
    public void JsonLine_TimeIsTheRoundTripText_LineAfterLine_AcrossSecondsAndOffsets()
    {
        // One formatter for all lines: the date and time of day are formatted once a second and reused.
        var formatter = new AccessLogFormatter("json");
        var t = new DateTimeOffset(2026, 12, 31, 23, 59, 58, TimeSpan.Zero).AddTicks(1_234_567);
        DateTimeOffset[] times =
        [
            t, t.AddTicks(1), t.AddTicks(8_765_432), t.AddTicks(8_765_433), t.AddSeconds(1), t.AddSeconds(2),
            t.AddSeconds(2).ToOffset(TimeSpan.FromMinutes(330)), t.AddSeconds(2).ToOffset(TimeSpan.FromHours(-8)),
            new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), t,
        ];

        foreach (var time in times)
        {
            var text = JsonDocument.Parse(Format(formatter, Entry() with { Time = time })).RootElement.GetProperty("time").GetString();
            Assert.Equal(time.ToString("O", System.Globalization.CultureInfo.InvariantCulture), text);
        }
    }

    [Fact]
    public void JsonLine_NamesThatRepeat_AreWrittenAsAFreshFormatterWritesThem()
    {
        // Far more names than the formatter keeps ready, some needing escapes, each coming back many times.
        var names = Enumerable.Range(0, 200).Select(i => i % 3 == 0 ? $"pool-\"{i}\"\u00e9\n" : $"backend-{i}").ToArray();
        var formatter = new AccessLogFormatter("json");
        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < names.Length; i++)
            {
                var entry = Entry() with { Listener = names[i], Pool = names[(i * 7) % names.Length], Backend = names[(i * 13) % names.Length], Route = names[^(i + 1)] };
                var line = Format(formatter, entry);
                Assert.Equal(Json(entry), line);
                var e = JsonDocument.Parse(line).RootElement;
                Assert.Equal(entry.Pool, e.GetProperty("pool").GetString());
                Assert.Equal(entry.Route, e.GetProperty("route").GetString());
            }
        }
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(9L)]
    [InlineData(10L)]
    [InlineData(1_000_000_007L)]
    [InlineData(long.MaxValue)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void JsonLine_Numbers_AreTheirDecimalText(long value)
    {
        var e = JsonDocument.Parse(Json(Entry() with { BytesOut = value, BytesIn = value })).RootElement;

        Assert.Equal(value, e.GetProperty("bytes_out").GetInt64());
        Assert.Equal(value.ToString(System.Globalization.CultureInfo.InvariantCulture), e.GetProperty("bytes_in").GetRawText());
    }

    [Fact]
    public void Template_WritesTheNamedFields_AndDashesForWhatDoesNotApply()
    {
        Assert.Equal("127.0.0.1:53122 GET /p 200 - 1234.006 3 4\n",
            Format("{client} {method} {path} {status} {connect_ms} {total_ms} {datagrams_in} {datagrams_out}",
                Entry() with { DatagramsIn = 3, DatagramsOut = 4 }));
    }

    private static AccessLogEntry Entry() => new()
    {
        Time = new DateTimeOffset(2026, 11, 23, 16, 20, 31, 112, TimeSpan.Zero),
        Listener = "web",
        Protocol = "http",
        Client = IPAddress.Loopback,
        ClientPort = 53122,
        Method = "GET",
        Path = "/p",
        Pool = "app",
        Backend = "b1",
        Status = 200,
        BytesIn = 12,
        BytesOut = 512,
        WaitMs = 0.0412,
        ConnectMs = -1,
        FirstByteMs = 1.5,
        TotalMs = 1234.0061,
        RequestId = "abc",
        Outcome = "success",
    };

    private static string Json(AccessLogEntry entry) => Format("json", entry);

    private static string Format(string format, AccessLogEntry entry) => Format(new AccessLogFormatter(format), entry);

    private static string Format(AccessLogFormatter formatter, AccessLogEntry entry)
    {
        var output = new ArrayBufferWriter<byte>();
        formatter.Append(entry, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
