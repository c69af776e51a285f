using Fulcrum.Core.Configuration;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Fulcrum.L7.Compression;

/// <summary>
/// A route's `compress` (docs/compression.md), at <see cref="FilterStage.Compression"/>: encodes a response in the
/// coding the client prefers among the route's, as nginx's gzip filter and ASP.NET's response compression do. It
/// never encodes twice (a response with any Content-Encoding passes as it is), leaves alone what cannot or must not be
/// changed (206, 304, 204, HEAD, `Cache-Control: no-transform`, RFC 9110 section 7.7), and says `Vary: Accept-Encoding`
/// on every response it could have encoded, encoded or not, so a cache keeps the variants apart. An encoded response
/// loses its Content-Length (the encoder's output is not known until it ends) and Accept-Ranges (a range of the
/// encoded body is not what the validator named), and a strong ETag becomes weak (RFC 9110 section 8.8.3: the bytes differ).
/// </summary>
internal sealed class CompressionFilter(CompressConfig config) : HttpFilter
{
    private readonly CompressibleTypes _types = new(config.Types);

    public override FilterHooks Hooks => FilterHooks.ResponseHead | FilterHooks.ResponseBody | FilterHooks.ResponseEnd;

    public override void OnResponseHead(HttpExchange exchange)
    {
        if (!MayEncode(exchange)) return;
        var headers = exchange.ResponseHeaders;
        AddVary(headers);
        if (HttpMethods.IsHead(exchange.Method)) return; // no body to encode; the headers say it varies all the same
        if (AcceptEncoding.Choose(exchange.RequestHeaders.AcceptEncoding, config.Encodings) is not { } coding) return;

        var name = AcceptEncoding.NameOf(coding);
        headers.ContentEncoding = name;
        exchange.ResponseContentLength = null;
        headers.Remove(HeaderNames.AcceptRanges);
        if (headers.ETag is { Count: 1 } etag && etag[0] is { Length: > 0 } tag && !tag.StartsWith("W/", StringComparison.Ordinal))
        {
            headers.ETag = "W/" + tag;
        }

        exchange.EncodeWith = coding;
        exchange.Record.Encoding = name;
    }

    public override void OnResponseBody(HttpExchange exchange)
    {
        if (exchange.EncodeWith is not { } coding) return;
        var body = new EncodedBody(exchange.ResponseBody, coding, config);
        exchange.ResponseBody = exchange.EncodedBody = body;
    }

    // The body went through whole: the encoder's last block and trailer go to the client (through a cache's copy
    // above, which then stores the encoded body). A body that broke off never gets here: Complete lets the encoder go.
    public override async ValueTask OnResponseEndAsync(HttpExchange exchange)
    {
        if (exchange.EncodedBody is not { } body) return;
        exchange.EncodedBody = null;
        await body.EndAsync(exchange);
    }

    // A response whose encoding is the route's to choose: one with a body that nobody encoded, of a type worth it, not
    // known to be too short, that the origin did not forbid changing.
    private bool MayEncode(HttpExchange exchange)
    {
        var status = exchange.Status;
        if (status is < 200 or 204 or 206 or 304) return false;
        var headers = exchange.ResponseHeaders;
        if (headers.ContentEncoding is { Count: > 0 } encoding && !IsIdentity(encoding)) return false;
        if (headers.ContainsKey(HeaderNames.ContentRange)) return false;
        if (exchange.ResponseContentLength is { } length && length < config.MinSize) return false;
        if (!_types.Contains(headers.ContentType)) return false;
        return !HasNoTransform(headers.CacheControl);
    }

    private static bool IsIdentity(Microsoft.Extensions.Primitives.StringValues encoding) =>
        encoding.Count == 1 && (encoding[0] is null or "" || encoding[0]!.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase));

    private static bool HasNoTransform(Microsoft.Extensions.Primitives.StringValues cacheControl)
    {
        foreach (var value in cacheControl)
        {
            if (value is not null && value.Contains("no-transform", StringComparison.OrdinalIgnoreCase)) return true;
        }

        return false;
    }

    // `Vary: *` already says everything varies; a Vary that names Accept-Encoding needs no second mention.
    private static void AddVary(IHeaderDictionary headers)
    {
        foreach (var value in headers.Vary)
        {
            if (value is null) continue;
            if (value.Contains("accept-encoding", StringComparison.OrdinalIgnoreCase) || value.Trim() == "*") return;
        }

        headers.Append(HeaderNames.Vary, HeaderNames.AcceptEncoding);
    }
}
