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

    private static string Format(string format, AccessLogEntry entry)
    {
        var output = new ArrayBufferWriter<byte>();
        new AccessLogFormatter(format).Append(entry, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
