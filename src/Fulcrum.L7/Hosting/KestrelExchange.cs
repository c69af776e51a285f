using System.Security.Cryptography.X509Certificates;
using Fulcrum.L7.Exchange;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Hosting;

/// <summary>
/// The exchange of a request Kestrel parsed (HTTP/1.1 or HTTP/2): Fulcrum's request model over Kestrel's
/// HttpContext. One per connection, reused request after request through Kestrel's IHostContextContainer slot,
/// as ASP.NET's own hosting layer does, so neither the HttpContext nor this allocates per request.
/// </summary>
internal sealed class KestrelExchange(DefaultHttpContext http) : HttpExchange
{
    /// <summary>The front end's own context: for the Kestrel-only parts (the YARP upgrade leg, the access log's TLS version).</summary>
    public DefaultHttpContext Http { get; } = http;

    public void Begin() => Reset(Http.Connection.RemoteIpAddress, Http.Connection.RemotePort);

    public override string Method => Http.Request.Method;
    public override string Scheme => Http.Request.Scheme;
    public override string Protocol => Http.Request.Protocol;
    public override HostString Host => Http.Request.Host;
    public override PathString Path => Http.Request.Path;
    public override QueryString Query => Http.Request.QueryString;
    public override string RawTarget => Http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? base.RawTarget;
    public override IHeaderDictionary RequestHeaders => Http.Request.Headers;
    public override string? Cookie(string name) => Http.Request.Cookies[name];
    public override StringValues QueryValue(string name) => Http.Request.Query[name];
    public override bool IsHttps => Http.Request.IsHttps;
    public override X509Certificate2? ClientCertificate => Http.Connection.ClientCertificate;
    public override CancellationToken Aborted => Http.RequestAborted;
    // Only an https connection has a handshake to ask about: a feature lookup per request is not free.
    public override System.Security.Authentication.SslProtocols? TlsProtocol =>
        IsHttps ? Http.Features.Get<Microsoft.AspNetCore.Connections.Features.ITlsHandshakeFeature>()?.Protocol : null;
    public override long? RequestContentLength => Http.Request.ContentLength;

    public override bool RequestHasBody =>
        Http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? Http.Request.ContentLength > 0;

    public override Stream RequestBody
    {
        get => Http.Request.Body;
        set => Http.Request.Body = value;
    }

    public override bool IsUpgradeOrConnect
    {
        get
        {
            var features = Http.Features;
            if (features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }) return true;
            if (features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true }) return true;
            return HttpMethods.IsConnect(Http.Request.Method);
        }
    }

    public override int Status
    {
        get => Http.Response.StatusCode;
        set => Http.Response.StatusCode = value;
    }

    public override IHeaderDictionary ResponseHeaders => Http.Response.Headers;

    public override long? ResponseContentLength
    {
        get => Http.Response.ContentLength;
        set => Http.Response.ContentLength = value;
    }

    public override Stream ResponseBody
    {
        get => Http.Response.Body;
        set => Http.Response.Body = value;
    }

    public override bool ResponseStarted => Http.Response.HasStarted;
    public override bool CanSendTrailers => Http.Response.SupportsTrailers();
    public override void AppendTrailer(string name, StringValues value) => Http.Response.AppendTrailer(name, value);
    public override void ClearResponse() => Http.Response.Clear();
    public override void Abort() => Http.Abort();
}
