using System.Net;
using System.Security.Cryptography.X509Certificates;
using Fulcrum.Core.Model;
using Fulcrum.L7.BackendHttp;
using Fulcrum.L7.Observability;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Exchange;

/// <summary>
/// One request and its response as routing, the filters and the backend leg see them, whatever front end parsed
/// the request (Kestrel's HTTP/1.1 and HTTP/2 today: <see cref="Hosting.KestrelExchange"/>). The front end keeps one
/// per connection and resets it per request, so a request allocates none. Like Envoy's codec-independent header
/// maps, filters never touch the front end's own objects.
/// </summary>
internal abstract class HttpExchange
{
    private PathString? _backendPath;
    private LegAttempt? _legAttempt;
    private System.Text.RegularExpressions.Regex? _capturedBy;
    private System.Text.RegularExpressions.Match? _captures;

    // ---- the request head, as the client sent it ----

    public abstract string Method { get; }
    /// <summary>`http` or `https`.</summary>
    public abstract string Scheme { get; }
    /// <summary>`HTTP/1.1`, `HTTP/2`, `HTTP/1.0`.</summary>
    public abstract string Protocol { get; }
    /// <summary>The Host header (or HTTP/2 :authority), with its port when it has one.</summary>
    public abstract HostString Host { get; }
    /// <summary>The decoded path.</summary>
    public abstract PathString Path { get; }
    public abstract QueryString Query { get; }
    /// <summary>The request target as the client wrote it, not decoded (what the WAF inspects); rebuilt from path and query by default.</summary>
    public virtual string RawTarget => Path.ToUriComponent() + Query.Value;
    /// <summary>The request's headers; filters edit them in place, and the backend leg sends what is left.</summary>
    public abstract IHeaderDictionary RequestHeaders { get; }
    public abstract string? Cookie(string name);
    public abstract StringValues QueryValue(string name);

    // The request's headers by name. A front end that holds the head as bytes answers these without building
    // RequestHeaders (each value a string), which the first use of RequestHeaders does; the result is the same.

    /// <summary>The values of one request header, as RequestHeaders[name] gives them.</summary>
    public virtual StringValues RequestHeader(string name) => RequestHeaders[name];
    /// <summary>Sets a request header (an empty value removes it), as RequestHeaders[name] = value does.</summary>
    public virtual void SetRequestHeader(string name, StringValues value) => RequestHeaders[name] = value;
    public virtual bool RemoveRequestHeader(string name) => RequestHeaders.Remove(name);
    public virtual bool HasRequestHeader(string name) => RequestHeaders.ContainsKey(name);
    /// <summary>The head as edited bytes for the backend leg, or null when the leg must write it from RequestHeaders.</summary>
    public virtual IRequestFieldBytes? RequestFieldBytes => null;

    /// <summary>The path the backend sees: <see cref="Path"/> unless a filter rewrote it.</summary>
    public PathString BackendPath
    {
        get => _backendPath ?? Path;
        set => _backendPath = value;
    }

    // ---- the connection ----

    /// <summary>The address of the peer on this connection (IPv4-mapped IPv6 unmapped).</summary>
    public IPAddress? PeerAddress { get; private set; }
    /// <summary>The client's address: the peer's, or the one a trusted proxy named (<see cref="Filters.TrustedProxies"/>).</summary>
    public IPAddress? ClientAddress { get; set; }
    /// <summary>
    /// True when the peer is one of the listener's `trusted-proxies`: its X-Forwarded-*, Forwarded, X-Real-IP and
    /// X-Request-ID are believed. From any other peer they are replaced.
    /// </summary>
    public bool FromTrustedProxy { get; set; }
    public int ClientPort { get; set; }
    public abstract bool IsHttps { get; }
    /// <summary>The client's certificate when an https listener verified one (mTLS).</summary>
    public abstract X509Certificate2? ClientCertificate { get; }
    /// <summary>The TLS version of an https connection, for the access log; null in cleartext.</summary>
    public virtual System.Security.Authentication.SslProtocols? TlsProtocol => null;
    /// <summary>Fires when the client goes away.</summary>
    public abstract CancellationToken Aborted { get; }

    // ---- the request body ----

    /// <summary>Declared length of the body; null when it has none or it is chunked.</summary>
    public abstract long? RequestContentLength { get; }
    /// <summary>True when the request may carry a body (a Content-Length above 0, chunked, an HTTP/2 stream left open).</summary>
    public abstract bool RequestHasBody { get; }
    /// <summary>The body as it arrives; a request-body filter may put a stream over it.</summary>
    public abstract Stream RequestBody { get; set; }
    /// <summary>True for a request that asks to switch protocols (HTTP/1.1 Upgrade, HTTP/2 extended CONNECT) or CONNECT.</summary>
    public abstract bool IsUpgradeOrConnect { get; }

    /// <summary>
    /// For an upgrade the backend accepted (101): sends the response head as the filters left it and returns the client's
    /// connection as a two-way byte stream, for the backend leg to relay (<see cref="BackendHttp.UpgradeRelay"/>). Only a
    /// front end that relays upgrades through the backend leg has it (Fulcrum's own HTTP/1.1 one); Kestrel's go through
    /// YARP's forwarder (<see cref="Forwarding.UpgradeLeg"/>).
    /// </summary>
    public virtual ValueTask<Stream> SwitchProtocolsAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException("this front end does not relay upgrades through the backend leg");

    // ---- the response ----

    public abstract int Status { get; set; }
    public abstract IHeaderDictionary ResponseHeaders { get; }
    /// <summary>Sets a response header (an empty value removes it), as ResponseHeaders[name] = value does.</summary>
    public virtual void SetResponseHeader(string name, StringValues value) => ResponseHeaders[name] = value;
    /// <summary>Where the backend leg may put the backend's response header lines as bytes, or null for ResponseHeaders.</summary>
    public virtual IResponseFieldBytes? ResponseFieldBytes => null;
    public abstract long? ResponseContentLength { get; set; }
    /// <summary>Where the response body goes; a response-body filter may put a stream over it.</summary>
    public abstract Stream ResponseBody { get; set; }
    /// <summary>True once the status line went out: from then on the only failure signal is <see cref="Abort"/>.</summary>
    public abstract bool ResponseStarted { get; }
    /// <summary>True when the front end can send trailers after the response body (HTTP/2; HTTP/1.1 only when chunked).</summary>
    public abstract bool CanSendTrailers { get; }
    /// <summary>Adds a trailer, sent after the body (gRPC's grpc-status); only when <see cref="CanSendTrailers"/>.</summary>
    public abstract void AppendTrailer(string name, StringValues value);
    /// <summary>Forgets status, headers and body of a response that has not started (a retry, an error answer).</summary>
    public abstract void ClearResponse();
    /// <summary>Cuts the client's connection (HTTP/1.1) or resets the stream (HTTP/2).</summary>
    public abstract void Abort();

    // ---- what the balancer learns along the way ----

    /// <summary>The access log's record of this request, filled as the request goes.</summary>
    public RequestRecord Record { get; } = new();
    /// <summary>The backend of the attempt that answered (or is answering).</summary>
    public Backend? Backend { get; set; }
    /// <summary>The Set-Cookie value that pins this client to <see cref="Backend"/> (cookie affinity), when one is due.</summary>
    public string? AffinityCookie { get; set; }

    /// <summary>The token the route's `auth.jwt` verified, for `jwt:CLAIM` rate-limit keys; null without one.</summary>
    public Microsoft.IdentityModel.JsonWebTokens.JsonWebToken? Token { get; set; }

    /// <summary>The `RateLimit` header of this request's rate limits with `headers: true` (the last one counted), or null.</summary>
    public string? RateLimit { get; set; }

    /// <summary>What the route's cache keeps about a request it sent on to the backend; null for a hit or without a cache.</summary>
    public Caching.CacheRequest? Cache { get; set; }
    /// <summary>The coding the route's `compress` chose for this response (set on the response head, used by the body hook); null when none.</summary>
    public Fulcrum.Core.Configuration.ContentCoding? EncodeWith { get; set; }

    /// <summary>
    /// The encoder `compress` put over the response body, until its end hook finishes it; one left here when the request
    /// is over (the body broke off) is let go in <see cref="Complete"/>.
    /// </summary>
    public Compression.EncodedBody? EncodedBody { get; set; }

    /// <summary>
    /// The match of <paramref name="regex"/> (the route's path-regex) on the client's path, for `${1}` and `${name}`
    /// in values with variables; run once per request and kept, and only by routes that use captures.
    /// </summary>
    public System.Text.RegularExpressions.Match Captures(System.Text.RegularExpressions.Regex regex)
    {
        if (ReferenceEquals(_capturedBy, regex) && _captures is { } known) return known;
        System.Text.RegularExpressions.Match match;
        try
        {
            match = regex.Match(Path.Value ?? "");
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            match = System.Text.RegularExpressions.Match.Empty;
        }

        _capturedBy = regex;
        return _captures = match;
    }

    /// <summary>The backend leg's state between the steps of an attempt; kept with the exchange so it is made once per connection.</summary>
    public LegAttempt LegAttempt => _legAttempt ??= new();

    /// <summary>The body of an answer the balancer gives itself (<see cref="SetAnswer"/>); written once the response hooks ran.</summary>
    public ReadOnlyMemory<byte> AnswerBody { get; private set; }

    /// <summary>An answer's body that is streamed rather than held (a static file), set after <see cref="SetAnswer"/>; null for none.</summary>
    public IAnswerContent? AnswerContent { get; set; }

    /// <summary>
    /// Makes the response an answer of the balancer's own (a filter's, a redirect, an error page): the status, the
    /// body's type and length. What a backend may have set is forgotten; headers set after this call stay.
    /// </summary>
    public void SetAnswer(int status, ReadOnlyMemory<byte> body, string? contentType)
    {
        if (ResponseStarted) return;
        ClearResponse();
        Status = status;
        AnswerBody = body;
        AnswerContent = null;
        if (body.Length == 0) return; // the front end sends Content-Length: 0 where a body is allowed
        if (contentType is not null) ResponseHeaders.ContentType = contentType;
        ResponseContentLength = body.Length;
    }

    /// <summary>Called by the front end before each request: the per-request state is cleared.</summary>
    protected void Reset(IPAddress? clientAddress, int clientPort)
    {
        _backendPath = null;
        AnswerBody = default;
        AnswerContent = null;
        RateLimit = null;
        Token = null;
        PeerAddress = ClientAddress = clientAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : clientAddress;
        FromTrustedProxy = false;
        ClientPort = clientPort;
        Backend = null;
        AffinityCookie = null;
        Complete();
        EncodeWith = null;
        _capturedBy = null;
        _captures = null;
        Record.Begin();
    }

    /// <summary>
    /// The request is over, whatever became of it: a cache fetch it led and never finished (the body broke off, a
    /// filter threw) lets the requests waiting on it go, and an encoder that never ended lets go of its memory without
    /// writing more. Called by the front end when it is done with the request.
    /// </summary>
    public void Complete()
    {
        if (EncodedBody is { } encoded)
        {
            EncodedBody = null;
            encoded.Abandon();
        }

        if (Cache is not { } cache) return;
        Cache = null;
        cache.EndFill();
    }
}
