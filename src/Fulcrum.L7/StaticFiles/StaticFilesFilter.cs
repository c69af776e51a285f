using System.Globalization;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Answers;
using Fulcrum.L7.Compression;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Fulcrum.L7.StaticFiles;

/// <summary>
/// A route's `static` action (docs/routing.md): answers from files under a root, as nginx's `root` and `try_files $uri
/// $uri/` do. Validators per RFC 9110 section 8.8 (a strong ETag from the file's modification time and length, like
/// nginx's, and Last-Modified), conditional requests (section 13: If-None-Match, If-Modified-Since, If-Range), one byte
/// range (section 14), and precompressed siblings (`app.js.br`, `.zst`, `.gz`, nginx's gzip_static) for clients that
/// accept them. Never a directory listing; never a file outside the root (<see cref="StaticPath"/>).
/// </summary>
internal sealed class StaticFilesFilter(StaticFilesConfig config) : HttpFilter
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    // The siblings looked for, in the order preferred when the client takes several equally: the smallest usually first.
    private static readonly (ContentCoding Coding, string Suffix)[] Siblings =
        [(ContentCoding.Brotli, ".br"), (ContentCoding.Zstd, ".zst"), (ContentCoding.Gzip, ".gz")];

    private readonly string _root = Path.TrimEndingDirectorySeparator(config.Root);
    private readonly PathString _strip = config.StripPrefix is { Length: > 1 } strip ? new PathString(strip.TrimEnd('/')) : PathString.Empty;

    public override FilterHooks Hooks => FilterHooks.RequestHead;

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        Answer(exchange);
        return Answered;
    }

    private void Answer(HttpExchange exchange)
    {
        var method = exchange.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            PlainTextAnswer.Set(exchange, StatusCodes.Status405MethodNotAllowed, PlainTextAnswer.FilesOnlyGet);
            exchange.ResponseHeaders.Allow = "GET, HEAD";
            return;
        }

        if (StaticPath.IsHostile(exchange.RawTarget))
        {
            PlainTextAnswer.Set(exchange, StatusCodes.Status400BadRequest, PlainTextAnswer.HostilePath);
            return;
        }

        var path = exchange.Path;
        if (_strip.HasValue)
        {
            if (!path.StartsWithSegments(_strip, StringComparison.Ordinal, out var rest))
            {
                PlainTextAnswer.Set(exchange, StatusCodes.Status404NotFound, PlainTextAnswer.FileNotFound);
                return;
            }

            path = rest;
        }

        var value = path.Value ?? "";
        if (StaticPath.Resolve(_root, value) is not { } file)
        {
            PlainTextAnswer.Set(exchange, StatusCodes.Status404NotFound, PlainTextAnswer.FileNotFound);
            return;
        }

        if (Directory.Exists(file))
        {
            if (!value.EndsWith('/'))
            {
                // A folder asked for without its slash: send the client to the folder, so relative links in its index resolve.
                exchange.SetAnswer(StatusCodes.Status301MovedPermanently, default, null);
                exchange.ResponseHeaders.Location = exchange.Path.Add(new PathString("/")).ToUriComponent() + exchange.Query.ToUriComponent();
                return;
            }

            file = config.Index.Length == 0 ? null : Path.Join(file, config.Index);
        }

        var info = file is null ? null : new FileInfo(file);
        if (info is not { Exists: true })
        {
            PlainTextAnswer.Set(exchange, StatusCodes.Status404NotFound, PlainTextAnswer.FileNotFound);
            return;
        }

        Serve(exchange, info);
    }

    private void Serve(HttpExchange exchange, FileInfo original)
    {
        var request = exchange.RequestHeaders;
        var rangeHeader = request.Range.ToString();
        // A range of an encoded sibling would not be a range of the file its validator names: ranges get the file itself.
        var (info, coding) = config.Precompressed && rangeHeader.Length == 0 ? Sibling(original, request) : (original, null);
        var etag = ETag(info);
        var modified = LastModified(info);

        exchange.SetAnswer(StatusCodes.Status200OK, default, null);
        var headers = exchange.ResponseHeaders;
        headers.ETag = etag;
        headers.LastModified = modified.ToString("R", CultureInfo.InvariantCulture);
        if (config.CacheControl is { } cacheControl) headers.CacheControl = cacheControl;
        if (config.Precompressed) headers.Vary = HeaderNames.AcceptEncoding;

        if (NotModified(request, etag, modified))
        {
            exchange.Status = StatusCodes.Status304NotModified;
            return;
        }

        headers.ContentType = ContentTypes.TryGetContentType(original.Name, out var type) ? type : "application/octet-stream";
        if (coding is { } c)
        {
            headers.ContentEncoding = AcceptEncoding.NameOf(c);
            exchange.Record.Encoding = AcceptEncoding.NameOf(c);
        }
        else
        {
            headers.AcceptRanges = "bytes";
        }

        var size = info.Length;
        var start = 0L;
        var length = size;
        if (coding is null && RangeApplies(request, etag, modified))
        {
            switch (ByteRange.Parse(rangeHeader, size, out var range))
            {
                case RangeRequest.One:
                    exchange.Status = StatusCodes.Status206PartialContent;
                    headers.ContentRange = range.ContentRange(size);
                    (start, length) = (range.Start, range.Length);
                    break;
                case RangeRequest.Unsatisfiable:
                    PlainTextAnswer.Set(exchange, StatusCodes.Status416RangeNotSatisfiable, PlainTextAnswer.RangeNotSatisfiable);
                    exchange.ResponseHeaders.ContentRange = "bytes */" + size.ToString(CultureInfo.InvariantCulture);
                    return;
            }
        }

        exchange.ResponseContentLength = length;
        if (length > 0) exchange.AnswerContent = new StaticFileContent(info.FullName, start, length);
    }

    // The precompressed sibling the client takes, when there is one at least as new as the file (an older one is stale).
    private static (FileInfo, ContentCoding?) Sibling(FileInfo original, IHeaderDictionary request)
    {
        var accept = request.AcceptEncoding;
        if (accept.Count == 0) return (original, null);
        FileInfo? best = null;
        ContentCoding? bestCoding = null;
        var bestWeight = 0;
        foreach (var (coding, suffix) in Siblings)
        {
            var weight = AcceptEncoding.WeightOf(accept, coding);
            if (weight <= bestWeight) continue;
            var sibling = new FileInfo(original.FullName + suffix);
            if (!sibling.Exists || sibling.LastWriteTimeUtc < original.LastWriteTimeUtc) continue;
            (best, bestCoding, bestWeight) = (sibling, coding, weight);
        }

        return best is null ? (original, null) : (best, bestCoding);
    }

    // nginx's form: the modification time and the length in hex. Each sibling has its own, since its bytes differ.
    private static string ETag(FileInfo info) => string.Create(CultureInfo.InvariantCulture,
        $"\"{new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeSeconds():x}-{info.Length:x}\"");

    private static DateTimeOffset LastModified(FileInfo info)
    {
        var utc = new DateTimeOffset(info.LastWriteTimeUtc);
        return utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerSecond)); // HTTP dates have whole seconds
    }

    // RFC 9110 section 13.2.2: If-None-Match decides when present (weak comparison); If-Modified-Since only without it.
    private static bool NotModified(IHeaderDictionary request, string etag, DateTimeOffset modified)
    {
        var ifNoneMatch = request.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            foreach (var line in ifNoneMatch)
            {
                if (line is null) continue;
                foreach (var candidate in line.Split(','))
                {
                    var tag = candidate.Trim();
                    if (tag == "*" || Opaque(tag) == Opaque(etag)) return true;
                }
            }

            return false;
        }

        return request.IfModifiedSince.Count == 1
            && DateTimeOffset.TryParse(request.IfModifiedSince[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since)
            && modified <= since;
    }

    // If-Range (section 13.1.5): the range is sent only when the client's copy is the current one, by strong ETag or date.
    private static bool RangeApplies(IHeaderDictionary request, string etag, DateTimeOffset modified)
    {
        if (request[HeaderNames.IfRange] is not { Count: 1 } ifRange || ifRange[0] is not { Length: > 0 } value) return true;
        if (value.StartsWith('"')) return value == etag;
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) && date == modified;
    }

    private static string Opaque(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;
}
