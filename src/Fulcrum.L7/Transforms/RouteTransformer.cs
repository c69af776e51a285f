using Fulcrum.Core.Configuration;
using Fulcrum.L7.Forwarding;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace Fulcrum.L7.Transforms;

/// <summary>
/// One route's transforms, compiled once per topology generation. Runs on YARP's forwarder callbacks:
/// the base class copies headers (minus hop-by-hop ones), then this adds ours.
/// Order on the request: forwarded headers, request-headers remove, set, add, then the path.
/// Order on the response: security-headers (when absent), response-headers remove, set, add, X-Request-ID.
/// </summary>
internal sealed class RouteTransformer : HttpTransformer
{
    private const string ForwardedFor = "X-Forwarded-For";
    private const string ForwardedProto = "X-Forwarded-Proto";
    private const string ForwardedHost = "X-Forwarded-Host";

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
        if (System.Diagnostics.Activity.Current is { } span && ReferenceEquals(span.Source, Observability.RequestTracing.Source))
        {
            Observability.RequestTracing.Inject(span, proxyRequest);
        }

        var request = httpContext.Request;

        // Keep the client's Host, like nginx's `proxy_set_header Host $host`: virtual hosts behind us keep working.
        proxyRequest.Headers.Host = request.Host.HasValue ? request.Host.Value : null;

        if (_forwardedHeaders)
        {
            AddForwardedHeaders(httpContext, proxyRequest);
        }

        if (!_request.IsEmpty)
        {
            foreach (var name in _request.Remove) RemoveHeader(proxyRequest, name);
            foreach (var (name, value) in _request.Set)
            {
                RemoveHeader(proxyRequest, name);
                AddHeader(proxyRequest, name, value);
            }

            foreach (var (name, value) in _request.Add) AddHeader(proxyRequest, name, value);
        }

        if (_path is not null)
        {
            var path = _path.Apply(request.Path);
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, path, request.QueryString);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (Observability.ProxyRequest.Of(httpContext) is { } record) record.FirstByte = System.Diagnostics.Stopwatch.GetTimestamp();
        // A 502/503/504 that the pool retries elsewhere is dropped here, before a byte of it reaches the client.
        if (proxyResponse is not null && (int)proxyResponse.StatusCode is 502 or 503 or 504
            && httpContext.Features.Get<RetryAttempt>() is { } retry && retry.TryIntercept((int)proxyResponse.StatusCode))
        {
            return false;
        }

        var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (proxyResponse is not null)
        {
            EditResponse(httpContext.Response);
            // A body of unknown length (chunked, or until close) is counted as it is copied, for the access log and
            // the listener's bytes; the forwarder takes the count back when it returns. Declared lengths cost nothing.
            if (copyBody && proxyResponse.Content.Headers.ContentLength is null && proxyResponse.StatusCode != System.Net.HttpStatusCode.SwitchingProtocols
                && httpContext.Response.Body is not Forwarding.CountingStream)
            {
                httpContext.Response.Body = new Forwarding.CountingStream(httpContext.Response.Body);
            }
        }

        if (_requestId)
        {
            RequestIds.Restore(httpContext);
        }

        return copyBody;
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

    private static void AddForwardedHeaders(HttpContext context, HttpRequestMessage proxyRequest)
    {
        var request = context.Request;
        var client = context.Connection.RemoteIpAddress;
        if (client is not null)
        {
            if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
            var prior = request.Headers[ForwardedFor];
            proxyRequest.Headers.Remove(ForwardedFor);
            // Append, like nginx's $proxy_add_x_forwarded_for: earlier proxies stay listed, the client is last.
            var value = StringValues.IsNullOrEmpty(prior) ? client.ToString() : string.Join(", ", prior.ToString(), client.ToString());
            proxyRequest.Headers.TryAddWithoutValidation(ForwardedFor, value);
        }

        proxyRequest.Headers.Remove(ForwardedProto);
        proxyRequest.Headers.TryAddWithoutValidation(ForwardedProto, request.Scheme);
        proxyRequest.Headers.Remove(ForwardedHost);
        if (request.Host.HasValue) proxyRequest.Headers.TryAddWithoutValidation(ForwardedHost, request.Host.Value);
    }

    // Content headers (Content-Type, ...) live on the content in HttpClient's model; the rest on the request.
    private static void AddHeader(HttpRequestMessage proxyRequest, string name, string value)
    {
        if (!proxyRequest.Headers.TryAddWithoutValidation(name, value))
        {
            proxyRequest.Content?.Headers.TryAddWithoutValidation(name, value);
        }
    }

    private static void RemoveHeader(HttpRequestMessage proxyRequest, string name)
    {
        proxyRequest.Headers.Remove(name);
        proxyRequest.Content?.Headers.Remove(name);
    }
}
