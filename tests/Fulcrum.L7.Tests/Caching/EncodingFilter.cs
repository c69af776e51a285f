using Fulcrum.Core.Configuration;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;

namespace Fulcrum.L7.Tests.Caching;

/// <summary>
/// A stand-in for compression at its stage (below the cache): it marks the head (`X-Encoded`, `Vary: Accept-Encoding`,
/// no Content-Length), turns the body to upper case as it streams, and writes a last byte `!` in its end hook, as a
/// compressor writes its last block. Named `encode`.
/// </summary>
internal sealed class EncodingFilter : HttpFilter
{
    public override FilterHooks Hooks => FilterHooks.ResponseHead | FilterHooks.ResponseBody | FilterHooks.ResponseEnd;

    public override void OnResponseHead(HttpExchange exchange)
    {
        exchange.ResponseHeaders["X-Encoded"] = "upper";
        exchange.ResponseHeaders.Vary = "Accept-Encoding";
        exchange.ResponseContentLength = null;
    }

    public override void OnResponseBody(HttpExchange exchange) => exchange.ResponseBody = new UpperStream(exchange.ResponseBody);

    public override async ValueTask OnResponseEndAsync(HttpExchange exchange)
    {
        if (exchange.ResponseBody is UpperStream upper) await upper.Inner.WriteAsync("!"u8.ToArray());
    }

    private sealed class UpperStream(Stream inner) : Stream
    {
        public Stream Inner => inner;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var upper = buffer.ToArray();
            for (var i = 0; i < upper.Length; i++) upper[i] = (byte)char.ToUpperInvariant((char)upper[i]);
            return inner.WriteAsync(upper, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, default).GetAwaiter().GetResult();
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    public sealed class Factory : IHttpFilterFactory
    {
        public string Name => "encode";
        public FilterStage Stage => FilterStage.Compression;
        public IHttpFilter? Create(FilterConfig config, List<ConfigError> errors) => new EncodingFilter();
    }
}
