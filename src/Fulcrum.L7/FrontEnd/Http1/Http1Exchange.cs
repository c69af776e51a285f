using System.Buffers;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Fulcrum.L7.BackendHttp;
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
internal sealed class Http1Exchange(Http1Connection connection) : HttpExchange, IResponseFieldBytes
{
    private readonly HeaderDictionary _responseHeaders = new();
    private readonly FieldEdits _responseEdits = new();
    // The backend's response header lines as bytes (IResponseFieldBytes), until something asks for ResponseHeaders.
    private byte[] _responseLines = [];
    private int _responseLinesLength;
    private bool _responseBytes;
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
        DropResponseBytes();
        Status = StatusCodes.Status200OK;
        Reset(peer, port);
    }

    /// <summary>The request is over: the head's copy and the response's lines go back to the pool.</summary>
    public void Release()
    {
        _head.Release();
        DropResponseBytes();
        if (_responseLines.Length > 0) ArrayPool<byte>.Shared.Return(_responseLines);
        _responseLines = [];
    }

    public override string Method => _head.Method;
    public override string Scheme => connection.IsHttps ? "https" : "http";
    public override string Protocol => _head.Http10 ? "HTTP/1.0" : "HTTP/1.1";
    public override HostString Host => new(_head.Host ?? "");
    public override PathString Path => _path ??= Http1Path.Decode(_head.RawPath);
    public override QueryString Query => new(_head.RawQuery);
    public override string RawTarget => _head.Target;
    public override IHeaderDictionary RequestHeaders => _head.Headers;
    public override StringValues RequestHeader(string name) => _head.Get(name);
    public override void SetRequestHeader(string name, StringValues value) => _head.Set(name, value);
    public override bool RemoveRequestHeader(string name) => _head.Remove(name);
    public override bool HasRequestHeader(string name) => _head.Contains(name);
    // A repeated Cookie is joined into one line by the dictionary's writer (RFC 9113 section 8.2.3 wants one in HTTP/1.1).
    public override IRequestFieldBytes? RequestFieldBytes => _head.IsBytes && !_head.RepeatedCookie ? _head : null;

    public override string? Cookie(string name) => RequestCookies.Find(_head.Get("Cookie"), name);

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
        _head.Framing == Http1BodyFraming.Length || (_head.Framing == Http1BodyFraming.None && _head.Contains("Content-Length")) ? _head.ContentLength : null;

    public override bool RequestHasBody => _head.Framing != Http1BodyFraming.None;

    public override Stream RequestBody
    {
        get => _requestBody;
        set => _requestBody = value;
    }

    /// <summary>
    /// An HTTP/1.1 request without a body that names `upgrade` in Connection and asks for WebSocket (or SPDY/*): the
    /// upgrades YARP's forwarder relays on Kestrel's front end, so both front ends relay the same ones. Any other Upgrade
    /// is ignored (RFC 9110 section 7.8 lets a server do so) and CONNECT is refused by the parser.
    /// </summary>
    public override bool IsUpgradeOrConnect =>
        _head.Upgrade && !_head.Http10 && _head.Framing == Http1BodyFraming.None && IsRelayed(_head.Get("Upgrade"));

    private static bool IsRelayed(StringValues upgrade) =>
        upgrade.Count == 1 && upgrade[0] is { } value
        && (value.Equals("websocket", StringComparison.OrdinalIgnoreCase) || value.StartsWith("SPDY/", StringComparison.OrdinalIgnoreCase));

    public override ValueTask<Stream> SwitchProtocolsAsync(CancellationToken cancellationToken) => connection.SwitchProtocolsAsync(cancellationToken);

    public override int Status { get; set; }

    public override IHeaderDictionary ResponseHeaders
    {
        get
        {
            if (_responseBytes) MaterialiseResponse();
            return _responseHeaders;
        }
    }

    public override void SetResponseHeader(string name, StringValues value)
    {
        // The framing and connection fields, and Date, are read by the response's writer from the dictionary.
        if (_responseBytes && !IsFramingName(name)) _responseEdits.Set(name, value);
        else ResponseHeaders[name] = value;
    }

    public override IResponseFieldBytes? ResponseFieldBytes => this;

    public override long? ResponseContentLength
    {
        get => _responseBytes ? Http1ResponseLines.ContentLength(ResponseLines) : ((IHeaderDictionary)_responseHeaders).ContentLength;
        set => ((IHeaderDictionary)ResponseHeaders).ContentLength = value;
    }

    /// <summary>True while the response's headers are the backend's lines as bytes, with <see cref="ResponseEdits"/>.</summary>
    public bool HasResponseBytes => _responseBytes;
    public ReadOnlySpan<byte> ResponseLines => _responseLines.AsSpan(0, _responseLinesLength);
    public FieldEdits ResponseEdits => _responseEdits;

    public bool TryReserveResponseFields(int length, out Span<byte> room)
    {
        if (_responseHeaders.Count > 0 || _responseBytes)
        {
            room = default;
            return false;
        }

        if (_responseLines.Length < length)
        {
            if (_responseLines.Length > 0) ArrayPool<byte>.Shared.Return(_responseLines);
            _responseLines = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1024));
        }

        room = _responseLines.AsSpan(0, length);
        return true;
    }

    public void ResponseFieldsWritten(int length)
    {
        _responseLinesLength = length;
        _responseBytes = true;
    }

    // What ResponseHead.CopyTo used to put in the dictionary, from the lines it now writes, then the edits since.
    private void MaterialiseResponse()
    {
        _responseBytes = false;
        Http1ResponseLines.CopyTo(ResponseLines, _responseHeaders);
        _responseEdits.ApplyTo(_responseHeaders);
        _responseEdits.Clear();
    }

    private void DropResponseBytes()
    {
        _responseBytes = false;
        _responseLinesLength = 0;
        _responseEdits.Clear();
    }

    private static bool IsFramingName(string name) =>
        name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Date", StringComparison.OrdinalIgnoreCase);

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
        DropResponseBytes();
        Status = StatusCodes.Status200OK;
    }

    public override void Abort() => connection.Abort();
}
