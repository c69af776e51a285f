using System.Net;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;
using Fulcrum.L7.Forwarding;
using Fulcrum.L7.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Caching;

/// <summary>
/// A request the cache makes itself: a revalidation of a stale response, in the foreground or in the background
/// (stale-while-revalidate). It goes through the filters below the cache and the route's backend target like a
/// client's request, over an exchange of its own whose response body is kept in memory up to the cache's
/// `max-object-size`. Everything it needs from the client's request is copied before the first await, since the
/// client's exchange is reused for its next request.
/// </summary>
internal sealed class CacheFetch
{
    private static readonly string[] Conditionals = ["If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range"];

    private readonly DefaultHttpContext _http = new();
    private readonly CacheCapture _body;
    private readonly IPAddress? _client;
    private readonly bool _trusted;

    public CacheFetch(HttpExchange client, CachedResponse stale, long maxBody, string capability)
    {
        var request = _http.Request;
        request.Method = HttpMethods.Get;
        request.Scheme = client.Scheme;
        request.Host = client.Host;
        request.Path = client.Path;
        request.QueryString = client.Query;
        request.Protocol = "HTTP/1.1";
        foreach (var (name, value) in client.RequestHeaders)
        {
            if (Array.IndexOf(Conditionals, name) < 0 && !string.Equals(name, "Cache-Control", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(name, "Pragma", StringComparison.OrdinalIgnoreCase)) request.Headers[name] = value;
        }

        // RFC 9111 section 4.3.1: the stored response's validators, the entity tag first.
        if (stale.ETag is { } etag) request.Headers.IfNoneMatch = etag;
        if (stale.LastModified is { } modified) request.Headers.IfModifiedSince = modified;
        request.Headers.Append(CacheHeaders.SurrogateCapability, capability);
        _http.Connection.RemoteIpAddress = client.PeerAddress;
        _http.Connection.RemotePort = client.ClientPort;
        _client = client.ClientAddress;
        _trusted = client.FromTrustedProxy;
        _body = new CacheCapture(Stream.Null, maxBody, stopAtLimit: true);
        _http.Response.Body = _body;
    }

    public int Status => _http.Response.StatusCode;
    public IHeaderDictionary Headers => _http.Response.Headers;

    /// <summary>The body, or null when it outgrew `max-object-size`.</summary>
    public byte[]? Body => _body.Complete ? _body.Body : null;

    /// <summary>True when the body outgrew `max-object-size` (the fetch was cut there; its status is not the backend's).</summary>
    public bool TooLarge => !_body.Complete;

    /// <summary>Sends it through <paramref name="below"/> and <paramref name="target"/>; never throws (a failure is a 502).</summary>
    public async Task RunAsync(FilterChain below, IBackendTarget target)
    {
        try
        {
            var exchange = new KestrelExchange(_http);
            exchange.Begin();
            exchange.ClientAddress = _client;
            exchange.FromTrustedProxy = _trusted;
            var answeredBy = await below.RunRequestAsync(exchange);
            if (answeredBy >= 0) await below.WriteAnswerAsync(exchange, answeredBy);
            else await target.ForwardAsync(exchange, below);
        }
        catch (Exception)
        {
            _http.Response.StatusCode = StatusCodes.Status502BadGateway;
        }
    }

    /// <summary>The response's headers as the store keeps them.</summary>
    public (string Name, StringValues Value)[] StoredHeaders() => CacheHeaders.ForStore(Headers, null);
}
