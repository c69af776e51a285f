using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Exchange;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Filters;

/// <summary>`respond`: a fixed answer from the balancer itself (maintenance pages, robots.txt, health of the edge).</summary>
internal sealed class RespondFilter : HttpFilter
{
    private readonly int _status;
    private readonly byte[] _body;
    private readonly string? _contentType;
    private readonly KeyValuePair<string, StringValues>[] _headers;

    public RespondFilter(FixedResponseConfig config)
    {
        _status = config.Status;
        // 204 and 304 answers cannot carry a body (RFC 9110 15.3.5, 15.4.5); Kestrel would fail the write.
        _body = config.Status is 204 or 304 ? [] : Encoding.UTF8.GetBytes(config.Body);
        // A Content-Type among the configured headers wins over content-type.
        _contentType = config.Headers.Keys.Any(k => k.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) ? null : config.ContentType;
        _headers = config.Headers.Select(h => new KeyValuePair<string, StringValues>(h.Key, h.Value)).ToArray();
    }

    public override FilterHooks Hooks => FilterHooks.RequestHead;

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        exchange.SetAnswer(_status, _body, _contentType);
        var headers = exchange.ResponseHeaders;
        foreach (var (name, value) in _headers) headers[name] = value;
        return Answered;
    }
}
