using Fulcrum.Core.Configuration;
using Fulcrum.L7.Forwarding;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace Fulcrum.L7.Transforms;

/// <summary>
/// One route's transforms, compiled once per topology generation. Both backend legs run the same edits: YARP's
/// forwarder through the HttpTransformer callbacks (the base class copies headers minus hop-by-hop ones), and the
/// lean HTTP/1.1 leg (<see cref="BackendHttp.Http1Forwarder"/>) by calling <see cref="EditRequest{THeaders}"/>,
/// <see cref="InterceptResponse"/> and <see cref="FinishResponse"/> directly.
/// Order on the request: forwarded headers, request-headers remove, set, add, then the path.
/// Order on the response: security-headers (when absent), response-headers remove, set, add, X-Request-ID.
/// </summary>
internal sealed class RouteTransformer : HttpTransformer
{
    private const string ForwardedFor = "X-Forwarded-For";
    private const string ForwardedProto = "X-Forwarded-Proto";
    private const string ForwardedHost = "X-Forwarded-Host";
    private const string HostHeader = "Host";

    private readonly bool _forwardedHeaders;
    private readonly bool _requestId;
    private readonly HeaderEdits _request;
    private readonly HeaderEdits _response;
    private readonly bool _securityHeaders;
    private readonly PathRewrite? _path;

    public RouteTransformer(TransformsConfig transforms, bool forwardedHeaders, bool requestId)
    {
        _forwardedHeaders = forwardedHeaders;
        _requestId = requestId;
        _request = transforms.RequestHeaders;
        _response = transforms.ResponseHeaders;
        _securityHeaders = transforms.SecurityHeaders;
        _path = PathRewrite.Create(transforms.StripPrefix, transforms.AddPrefix);
    }

    /// <summary>True when answers made by the balancer itself (redirects, fixed responses, errors) need response edits.</summary>
    public bool EditsResponses => _securityHeaders || !_response.IsEmpty;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        EditRequest(httpContext, new MessageRequestHeaders(proxyRequest));
        if (_path is not null)
        {
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, _path.Apply(httpContext.Request.Path), httpContext.Request.QueryString);
        }
    }

    /// <summary>
    /// The route's request edits, the one place they are made, for both backend legs (YARP's and the lean one):
    /// trace context, Host, forwarded headers, then request-headers remove, set, add.
    /// </summary>
    public void EditRequest<THeaders>(HttpContext httpContext, THeaders headers) where THeaders : IProxyRequestHeaders
    {
        if (System.Diagnostics.Activity.Current is { } span && ReferenceEquals(span.Source, Observability.RequestTracing.Source))
        {
            Observability.RequestTracing.Inject(span, headers);
        }

        var request = httpContext.Request;

        // Keep the client's Host, like nginx's `proxy_set_header Host $host`: virtual hosts behind us keep working.
        headers.Remove(HostHeader);
        if (request.Host.HasValue) headers.Add(HostHeader, request.Host.Value);

        if (_forwardedHeaders)
        {
            AddForwardedHeaders(httpContext, headers);
        }

        if (!_request.IsEmpty)
        {
            foreach (var name in _request.Remove) headers.Remove(name);
            foreach (var (name, value) in _request.Set)
            {
                headers.Remove(name);
                headers.Add(name, value);
            }

            foreach (var (name, value) in _request.Add) headers.Add(name, value);
        }
    }

    /// <summary>The path the backend sees: the client's, with the route's strip-prefix and add-prefix applied.</summary>
    public PathString BackendPath(HttpRequest request) => _path is null ? request.Path : _path.Apply(request.Path);

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        // A 502/503/504 that the pool retries elsewhere is dropped here, before a byte of it reaches the client.
        if (proxyResponse is not null && InterceptResponse(httpContext, (int)proxyResponse.StatusCode))
        {
            return false;
        }

        if (proxyResponse is null && Observability.ProxyRequest.Of(httpContext) is { } record) record.FirstByte = System.Diagnostics.Stopwatch.GetTimestamp();
        var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (proxyResponse is not null)
        {
            // A body of unknown length (chunked, or until close) is counted as it is copied, for the access log and
            // the listener's bytes; the forwarder takes the count back when it returns. Declared lengths cost nothing.
            if (copyBody && proxyResponse.Content.Headers.ContentLength is null && proxyResponse.StatusCode != System.Net.HttpStatusCode.SwitchingProtocols
                && httpContext.Response.Body is not Forwarding.CountingStream)
            {
                httpContext.Response.Body = new Forwarding.CountingStream(httpContext.Response.Body);
            }
        }

        FinishResponse(httpContext, proxyResponse is not null);
        return copyBody;
    }

    /// <summary>
    /// First step on a backend's answer, for both legs: stamps the first byte and, when the pool retries this
    /// 502/503/504 elsewhere, returns true so the answer is dropped before a byte of it reaches the client.
    /// </summary>
    public bool InterceptResponse(HttpContext httpContext, int status)
    {
        if (Observability.ProxyRequest.Of(httpContext) is { } record) record.FirstByte = System.Diagnostics.Stopwatch.GetTimestamp();
        return status is 502 or 503 or 504 && httpContext.Features.Get<RetryAttempt>() is { } retry && retry.TryIntercept(status);
    }

    /// <summary>Last step, after the backend's headers were copied (or the forward failed): our response edits.</summary>
    public void FinishResponse(HttpContext httpContext, bool answered)
    {
        if (answered) EditResponse(httpContext.Response);
        if (_requestId) RequestIds.Restore(httpContext);
    }

    /// <summary>Applies the response edits to an answer the balancer makes itself.</summary>
    public void EditResponse(HttpResponse response)
    {
        if (_securityHeaders) SecurityHeaders.AddMissing(response.Headers);
        if (_response.IsEmpty) return;
        var headers = response.Headers;
        foreach (var name in _response.Remove) headers.Remove(name);
        foreach (var (name, value) in _response.Set) headers[name] = value;
        foreach (var (name, value) in _response.Add) headers.Append(name, value);
    }

    private static void AddForwardedHeaders<THeaders>(HttpContext context, THeaders headers) where THeaders : IProxyRequestHeaders
    {
        var request = context.Request;
        var client = context.Connection.RemoteIpAddress;
        if (client is not null)
        {
            if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
            var prior = request.Headers[ForwardedFor];
            headers.Remove(ForwardedFor);
            // Append, like nginx's $proxy_add_x_forwarded_for: earlier proxies stay listed, the client is last.
            var value = StringValues.IsNullOrEmpty(prior) ? client.ToString() : string.Join(", ", prior.ToString(), client.ToString());
            headers.Add(ForwardedFor, value);
        }

        headers.Remove(ForwardedProto);
        headers.Add(ForwardedProto, request.Scheme);
        headers.Remove(ForwardedHost);
        if (request.Host.HasValue) headers.Add(ForwardedHost, request.Host.Value);
    }
}
