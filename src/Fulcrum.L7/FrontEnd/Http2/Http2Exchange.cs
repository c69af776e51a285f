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

    public override string Method => stream.Head.Method!;
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

    /// <summary>The HEADERS frame did not end the stream: DATA may follow.</summary>
    public override bool RequestHasBody => !stream.EndedWithHeaders;

    public override Stream RequestBody
    {
        get => _requestBody;
        set => _requestBody = value;
    }

    /// <summary>Never: CONNECT and extended CONNECT are refused when the header block is read.</summary>
    public override bool IsUpgradeOrConnect => false;

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
