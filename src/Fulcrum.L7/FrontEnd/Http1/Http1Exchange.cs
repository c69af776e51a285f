using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Fulcrum.L7.Exchange;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>
/// The exchange of a request Fulcrum's own HTTP/1.1 front end parsed: the request model over the
/// <see cref="Http1RequestHead"/> and the response the <see cref="Http1Connection"/> frames. One per connection,
/// reset per request, like <see cref="Hosting.KestrelExchange"/>.
/// </summary>
internal sealed class Http1Exchange(Http1Connection connection) : HttpExchange
{
    private readonly HeaderDictionary _responseHeaders = new();
    private Http1RequestHead _head = null!;
    private PathString? _path;
    private Dictionary<string, StringValues>? _query;
    private Stream _requestBody = Stream.Null;
    private Stream _responseBody = Stream.Null;

    public Http1RequestHead Head => _head;

    public void Begin(Http1RequestHead head, Stream requestBody, Stream responseBody, IPAddress? peer, int port)
    {
        _head = head;
        _path = null;
        _query = null;
        _requestBody = requestBody;
        _responseBody = responseBody;
        _responseHeaders.Clear();
        Status = StatusCodes.Status200OK;
        Reset(peer, port);
    }

    public override string Method => _head.Method;
    public override string Scheme => connection.IsHttps ? "https" : "http";
    public override string Protocol => _head.Http10 ? "HTTP/1.0" : "HTTP/1.1";
    public override HostString Host => new(_head.Host ?? "");
    public override PathString Path => _path ??= Http1Path.Decode(_head.RawPath);
    public override QueryString Query => new(_head.RawQuery);
    public override string RawTarget => _head.Target;
    public override IHeaderDictionary RequestHeaders => _head.Headers;

    public override string? Cookie(string name) => RequestCookies.Find(_head.Headers["Cookie"], name);

    public override StringValues QueryValue(string name)
    {
        if (_head.RawQuery.Length == 0) return StringValues.Empty;
        _query ??= QueryHelpers.ParseNullableQuery(_head.RawQuery) ?? [];
        return _query.TryGetValue(name, out var value) ? value : StringValues.Empty;
    }

    public override bool IsHttps => connection.IsHttps;
    public override X509Certificate2? ClientCertificate => connection.ClientCertificate;
    public override CancellationToken Aborted => connection.Aborted;
    public override SslProtocols? TlsProtocol => connection.TlsProtocol;

    public override long? RequestContentLength =>
        _head.Framing == Http1BodyFraming.Length || (_head.Framing == Http1BodyFraming.None && _head.Headers.ContainsKey("Content-Length")) ? _head.ContentLength : null;

    public override bool RequestHasBody => _head.Framing != Http1BodyFraming.None;

    public override Stream RequestBody
    {
        get => _requestBody;
        set => _requestBody = value;
    }

    /// <summary>Never: an Upgrade is ignored (RFC 9110 section 7.8 lets a server do so) and CONNECT is refused by the parser.</summary>
    public override bool IsUpgradeOrConnect => false;

    public override int Status { get; set; }
    public override IHeaderDictionary ResponseHeaders => _responseHeaders;

    public override long? ResponseContentLength
    {
        get => ((IHeaderDictionary)_responseHeaders).ContentLength;
        set => ((IHeaderDictionary)_responseHeaders).ContentLength = value;
    }

    public override Stream ResponseBody
    {
        get => _responseBody;
        set => _responseBody = value;
    }

    public override bool ResponseStarted => connection.Response.Started;
    public override bool CanSendTrailers => false;
    public override void AppendTrailer(string name, StringValues value) { }

    public override void ClearResponse()
    {
        if (ResponseStarted) throw new InvalidOperationException("the response has started");
        _responseHeaders.Clear();
        Status = StatusCodes.Status200OK;
    }

    public override void Abort() => connection.Abort();
}
