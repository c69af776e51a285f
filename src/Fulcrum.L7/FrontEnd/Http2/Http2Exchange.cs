using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.FrontEnd.Http1;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// The exchange of a request on one HTTP/2 stream of Fulcrum's own front end: the request model over the stream's
/// <see cref="Http2RequestHead"/> and the response <see cref="Http2Response"/> frames. One per stream slot, reset per
/// request, like <see cref="Http1Exchange"/> is per connection.
/// </summary>
internal sealed class Http2Exchange(Http2Stream stream) : HttpExchange
{
    private readonly HeaderDictionary _responseHeaders = new();
    private PathString? _path;
    private string _rawPath = "";
    private string _rawQuery = "";
    private Dictionary<string, StringValues>? _query;
    private Stream _requestBody = Stream.Null;
    private Stream _responseBody = Stream.Null;

    public void Begin(Stream requestBody)
    {
        var target = stream.Head.Target ?? "";
        var question = target.IndexOf('?');
        _rawPath = question < 0 ? target : target[..question];
        _rawQuery = question < 0 ? "" : target[question..];
        _path = null;
        _query = null;
        _requestBody = requestBody;
        _responseBody = stream.Response;
        _responseHeaders.Clear();
        Status = StatusCodes.Status200OK;
        var peer = stream.Connection.Peer;
        Reset(peer?.Address, peer?.Port ?? 0);
    }

    /// <summary>GET for a WebSocket's extended CONNECT: what the backend's HTTP/1.1 handshake is.</summary>
    public override string Method => stream.Head.IsWebSocket ? HttpMethods.Get : stream.Head.Method!;
    public override string Scheme => stream.Connection.IsHttps ? "https" : "http";
    public override string Protocol => "HTTP/2";
    public override HostString Host => new(stream.Head.Authority ?? ((IHeaderDictionary)stream.Head.Headers).Host.ToString());
    public override PathString Path => _path ??= Http1Path.Decode(_rawPath);
    public override QueryString Query => new(_rawQuery);
    public override string RawTarget => stream.Head.Target ?? "";
    public override IHeaderDictionary RequestHeaders => stream.Head.Headers;

    public override string? Cookie(string name) => RequestCookies.Find(((IHeaderDictionary)stream.Head.Headers).Cookie, name);

    public override StringValues QueryValue(string name)
    {
        if (_rawQuery.Length == 0) return StringValues.Empty;
        _query ??= QueryHelpers.ParseNullableQuery(_rawQuery) ?? [];
        return _query.TryGetValue(name, out var value) ? value : StringValues.Empty;
    }

    public override bool IsHttps => stream.Connection.IsHttps;
    public override X509Certificate2? ClientCertificate => stream.Connection.ClientCertificate;
    public override CancellationToken Aborted => stream.Aborted;
    public override SslProtocols? TlsProtocol => stream.Connection.TlsProtocol;

    public override long? RequestContentLength => stream.Head.ContentLength >= 0 ? stream.Head.ContentLength : null;

    /// <summary>The HEADERS frame did not end the stream: DATA may follow (a WebSocket's DATA are its tunnel, no body).</summary>
    public override bool RequestHasBody => !stream.EndedWithHeaders && !stream.Head.IsWebSocket;

    public override Stream RequestBody
    {
        get => _requestBody;
        set => _requestBody = value;
    }

    /// <summary>A WebSocket's extended CONNECT (RFC 8441); plain CONNECT and other protocols are refused when the header block is read.</summary>
    public override bool IsUpgradeOrConnect => stream.Head.IsWebSocket;

    /// <summary>
    /// The backend said 101: the client hears 200 on the stream (RFC 8441 section 5), without the HTTP/1.1 handshake's
    /// own fields, and the stream's DATA both ways become the tunnel. The body's min-body-rate stops here: a WebSocket
    /// may stay quiet for as long as the pool's request-timeout allows.
    /// </summary>
    public override async ValueTask<Stream> SwitchProtocolsAsync(CancellationToken cancellationToken)
    {
        Status = StatusCodes.Status200OK;
        _responseHeaders.Remove("Upgrade");
        _responseHeaders.Remove("Connection");
        _responseHeaders.Remove("Sec-WebSocket-Accept");
        stream.Body.Begin(0);
        await stream.Response.FlushAsync(cancellationToken);
        return new Http2Tunnel(stream);
    }

    public override int Status { get; set; }
    public override IHeaderDictionary ResponseHeaders => _responseHeaders;
    /// <summary>The response headers as their concrete dictionary, whose enumerator is a struct (the encoder walks it).</summary>
    public HeaderDictionary Headers => _responseHeaders;

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

    public override bool ResponseStarted => stream.Response.Started;
    public override bool CanSendTrailers => true;
    public override void AppendTrailer(string name, StringValues value) => stream.Response.AppendTrailer(name, value);

    public override void ClearResponse()
    {
        if (ResponseStarted) throw new InvalidOperationException("the response has started");
        _responseHeaders.Clear();
        Status = StatusCodes.Status200OK;
    }

    public override void Abort() => stream.Connection.ResetStream(stream, Http2ErrorCode.InternalError, "the request was aborted");
}
