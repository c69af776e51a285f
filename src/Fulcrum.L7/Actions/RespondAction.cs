using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Actions;

/// <summary>`respond`: a fixed answer from the balancer itself (maintenance pages, robots.txt, health of the edge).</summary>
internal sealed class RespondAction : RouteAction
{
    private readonly int _status;
    private readonly byte[] _body;
    private readonly string _contentType;
    private readonly KeyValuePair<string, StringValues>[] _headers;
    private readonly bool _headersSetContentType;

    public RespondAction(FixedResponseConfig config)
    {
        _status = config.Status;
        // 204 and 304 answers cannot carry a body (RFC 9110 15.3.5, 15.4.5); Kestrel would fail the write.
        _body = config.Status is 204 or 304 ? [] : Encoding.UTF8.GetBytes(config.Body);
        _contentType = config.ContentType;
        _headers = config.Headers.Select(h => new KeyValuePair<string, StringValues>(h.Key, h.Value)).ToArray();
        _headersSetContentType = config.Headers.Keys.Any(k => k.Equals("Content-Type", StringComparison.OrdinalIgnoreCase));
    }

    public override Task ExecuteAsync(HttpContext context, CompiledRoute route)
    {
        var response = context.Response;
        response.StatusCode = _status;
        foreach (var (name, value) in _headers) response.Headers[name] = value;
        route.Transformer.EditResponse(response);
        if (_body.Length == 0) return Task.CompletedTask; // Kestrel sends Content-Length: 0 where a body is allowed
        if (!_headersSetContentType) response.ContentType = _contentType;
        response.ContentLength = _body.Length;
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(_body, 0, _body.Length, context.RequestAborted);
    }
}
