using System.Collections.Concurrent;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;

namespace Fulcrum.L7.Tests.Filters;

/// <summary>
/// A filter for tests, named `recorder` (stage Authentication) or `late-recorder` (stage Waf): it writes down what it
/// sees of each request and response, and with `require: HEADER` answers 401 to a request without that header.
/// With `count-bodies: true` it puts counting streams over both bodies (the body hooks).
/// </summary>
internal sealed class RecordingFilter(string name, string? require, bool countBodies) : HttpFilter
{
    public ConcurrentQueue<Seen> Requests { get; } = new();
    public ConcurrentQueue<SeenResponse> Responses { get; } = new();
    public ByteCounter RequestBytes { get; } = new();
    public ByteCounter ResponseBytes { get; } = new();

    public string Name => name;

    public override FilterHooks Hooks => FilterHooks.RequestHead | FilterHooks.ResponseHead
        | (countBodies ? FilterHooks.RequestBody | FilterHooks.ResponseBody : FilterHooks.None);

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        var headers = exchange.RequestHeaders;
        Requests.Enqueue(new Seen(exchange.Protocol, exchange.Method, exchange.Scheme, exchange.Host.Value ?? "", exchange.Path.Value ?? "",
            exchange.Query.Value ?? "", headers["X-Probe"].ToString(), exchange.Cookie("c") ?? "", exchange.ClientAddress?.ToString() ?? "",
            headers.ContainsKey("X-Request-ID"), headers.ContainsKey("X-Edited"), headers.ContainsKey("X-Forwarded-For")));
        if (require is not null && !headers.ContainsKey(require))
        {
            exchange.SetAnswer(401, "401 by the recorder\n"u8.ToArray(), "text/plain");
            exchange.ResponseHeaders["WWW-Authenticate"] = "Test";
            return Answered;
        }

        return Continue;
    }

    public override void OnRequestBody(HttpExchange exchange) => exchange.RequestBody = new CountingStream(exchange.RequestBody, RequestBytes);

    public override void OnResponseHead(HttpExchange exchange)
    {
        var headers = exchange.ResponseHeaders;
        Responses.Enqueue(new SeenResponse(exchange.Status, headers.ContainsKey("X-Served-By"), headers.ContainsKey("X-Content-Type-Options")));
    }

    public override void OnResponseBody(HttpExchange exchange) => exchange.ResponseBody = new CountingStream(exchange.ResponseBody, ResponseBytes);

    public sealed record Seen(string Protocol, string Method, string Scheme, string Host, string Path, string Query, string Probe, string Cookie,
        string Client, bool SawRequestId, bool SawRequestEdit, bool SawForwardedFor);

    public sealed record SeenResponse(int Status, bool SawServedBy, bool SawSecurityHeaders);

    public sealed class ByteCounter
    {
        private long _count;
        public long Count => Interlocked.Read(ref _count);
        public void Add(int n) => Interlocked.Add(ref _count, n);
    }

    /// <summary>Makes recorders by name and keeps the ones it made, so a test can read them.</summary>
    public sealed class Factory(string name, FilterStage stage) : IHttpFilterFactory
    {
        public ConcurrentQueue<RecordingFilter> Made { get; } = new();

        public string Name => name;

        public FilterStage Stage => stage;

        public IHttpFilter? Create(FilterConfig config, List<ConfigError> errors)
        {
            var filter = new RecordingFilter(name, config.Setting("require"), config.Setting("count-bodies") == "true");
            Made.Enqueue(filter);
            return filter;
        }
    }

    private sealed class CountingStream(Stream inner, ByteCounter counter) : Stream
    {
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken));

        // Counted before they go: the client may hold the last byte before a write's continuation runs (on io_uring it
        // runs on the ring's thread after the send completes), and the test reads the count once the client has it all.
        public override void Write(byte[] buffer, int offset, int count)
        {
            Counted(count);
            inner.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Counted(buffer.Length);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        private int Counted(int n)
        {
            counter.Add(n);
            return n;
        }
    }
}
