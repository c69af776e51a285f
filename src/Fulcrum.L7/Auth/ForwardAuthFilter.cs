using System.Collections.Frozen;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Observability;
using Fulcrum.L7.Answers;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Auth;

/// <summary>
/// A route's `auth.forward` (docs/protection.md), as nginx's `auth_request` and Traefik's ForwardAuth: a GET to the
/// auth service with the client's headers (all, or those `request-headers` names) and X-Forwarded-Method, -Proto,
/// -Host, -Uri and -For saying what the client asked. A 2xx lets the request through with the `copy-headers` of the
/// answer set on it; the client's own copies of those are removed first, so the backend sees only what the auth
/// service said. Any other answer goes back to the client as it came (status, headers, a body up to 64 KiB), so a
/// 302 to a login page or a 401 with its challenge works. No answer within `timeout`: 503.
/// </summary>
internal sealed class ForwardAuthFilter : HttpFilter
{
    private const int MaxAnswerBody = 64 * 1024;
    private static readonly byte[] Unavailable = Encoding.UTF8.GetBytes("503 service unavailable: the auth service did not answer\n");
    private static readonly byte[] AnswerTooLarge = Encoding.UTF8.GetBytes("502 bad gateway: the auth service's answer is too large\n");

    // Not passed either way: hop-by-hop (RFC 9110 section 7.6.1), and a body the subrequest does not have.
    private static readonly FrozenSet<string> NotCopied = FrozenSet.ToFrozenSet(
        ["Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length", "Content-Type", "Expect"],
        StringComparer.OrdinalIgnoreCase);

    private readonly ForwardAuthConfig _config;
    private readonly Uri _url;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly ProtectionCounter _allowed, _denied, _unavailable;

    public ForwardAuthFilter(ForwardAuthConfig config, HttpClient http, ILogger logger, ProtectionStats stats, string listener, string route)
    {
        _config = config;
        _url = new Uri(config.Url);
        _http = http;
        _logger = logger;
        _allowed = stats.Counter(listener, route, "auth", "allowed");
        _denied = stats.Counter(listener, route, "auth", "rejected", "denied");
        _unavailable = stats.Counter(listener, route, "auth", "rejected", "unavailable");
    }

    public override FilterHooks Hooks => FilterHooks.RequestHead;

    public override async ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        foreach (var header in _config.CopyHeaders) exchange.RequestHeaders.Remove(header);
        using var request = Subrequest(exchange);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(exchange.Aborted);
        deadline.CancelAfter(_config.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            if (exchange.Aborted.IsCancellationRequested) return Gone(exchange);
            AuthLog.ForwardFailed(_logger, _config.Url, e is OperationCanceledException ? $"no answer within {_config.Timeout}" : e.Message);
            return Refuse(exchange, _unavailable, 503, Unavailable);
        }

        using (response)
        {
            if ((int)response.StatusCode is >= 200 and < 300)
            {
                foreach (var header in _config.CopyHeaders)
                {
                    if (response.Headers.TryGetValues(header, out var values)) exchange.RequestHeaders[header] = new StringValues([.. values]);
                }

                _allowed.Increment();
                return FilterResult.Continue;
            }

            return await PassOnAsync(exchange, response, deadline.Token);
        }
    }

    private HttpRequestMessage Subrequest(HttpExchange exchange)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _url);
        var headers = exchange.RequestHeaders;
        if (_config.RequestHeaders.IsEmpty)
        {
            foreach (var (name, values) in headers)
            {
                if (!NotCopied.Contains(name)) request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
        else
        {
            foreach (var name in _config.RequestHeaders)
            {
                if (headers.TryGetValue(name, out var values)) request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        request.Headers.TryAddWithoutValidation("X-Forwarded-Method", exchange.Method);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", exchange.Scheme);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", exchange.Host.Value);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Uri", exchange.Path.ToUriComponent() + exchange.Query.ToUriComponent());
        if (exchange.ClientAddress is { } client) request.Headers.TryAddWithoutValidation("X-Forwarded-For", client.ToString());
        return request;
    }

    // The auth service's refusal, as it gave it.
    private async ValueTask<FilterResult> PassOnAsync(HttpExchange exchange, HttpResponseMessage response, CancellationToken cancellation)
    {
        byte[] body;
        try
        {
            body = await ReadBoundedAsync(response.Content, cancellation);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            if (exchange.Aborted.IsCancellationRequested) return Gone(exchange);
            return Refuse(exchange, _unavailable, 503, Unavailable);
        }

        if (body.Length > MaxAnswerBody) return Refuse(exchange, _denied, 502, AnswerTooLarge);
        _denied.Increment();
        exchange.Record.Protection = _denied.LogText;
        exchange.SetAnswer((int)response.StatusCode, body, response.Content.Headers.ContentType?.ToString());
        foreach (var (name, values) in response.Headers)
        {
            if (!NotCopied.Contains(name)) exchange.ResponseHeaders[name] = new StringValues([.. values]);
        }

        return FilterResult.Answered;
    }

    // Up to one byte past the limit, so an answer just over it is told from one at it.
    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellation)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellation);
        var buffer = new byte[MaxAnswerBody + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellation)) > 0) length += read;
        return buffer[..length];
    }

    // The client left while the auth service was asked: nobody reads the answer, and it is no decision to count.
    private static FilterResult Gone(HttpExchange exchange)
    {
        PlainTextAnswer.Set(exchange, 503, Unavailable);
        return FilterResult.Answered;
    }

    private static FilterResult Refuse(HttpExchange exchange, ProtectionCounter counter, int status, byte[] body)
    {
        counter.Increment();
        exchange.Record.Protection = counter.LogText;
        PlainTextAnswer.Set(exchange, status, body);
        return FilterResult.Answered;
    }
}
