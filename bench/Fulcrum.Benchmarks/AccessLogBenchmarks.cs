using System.Buffers;
using System.Net;
using BenchmarkDotNet.Attributes;
using Fulcrum.Core.Observability;

namespace Fulcrum.Benchmarks;

/// <summary>
/// Nanoseconds and bytes to format one access log line (JSON and a template), the work the access log's
/// writer thread does per request. On a one-CPU proxy it is paid on the same CPU as the requests.
/// </summary>
[MemoryDiagnoser]
public class AccessLogBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private AccessLogFormatter _json = null!;
    private AccessLogFormatter _template = null!;
    private AccessLogEntry _entry;

    [GlobalSetup]
    public void Setup()
    {
        _json = new AccessLogFormatter("json");
        _template = new AccessLogFormatter("{client} {method} {path} {status} {backend} {bytes_out} {total_ms}");
        _entry = Sample();
    }

    /// <summary>A line like the L7 benchmark's: a GET through a pool, with a request id.</summary>
    public static AccessLogEntry Sample() => new()
    {
        Time = DateTimeOffset.UtcNow,
        Listener = "bench",
        Protocol = "http",
        Client = IPAddress.Loopback,
        ClientPort = 54321,
        Method = "GET",
        Path = "/",
        Route = "route-0",
        Pool = "backends",
        Backend = "127.0.0.1:59733",
        Status = 200,
        BytesIn = 0,
        BytesOut = 612,
        WaitMs = 0.012345,
        ConnectMs = -1,
        FirstByteMs = 0.4567,
        TotalMs = 0.51234,
        RequestId = "0123456789abcdef0123456789abcdef",
        Outcome = "success",
    };

    [Benchmark]
    public int Json()
    {
        _output.Clear();
        _json.Append(_entry, _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int Template()
    {
        _output.Clear();
        _template.Append(_entry, _output);
        return _output.WrittenCount;
    }
}
