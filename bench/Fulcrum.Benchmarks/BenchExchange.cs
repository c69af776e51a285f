using System.Net;
using System.Security.Cryptography.X509Certificates;
using Fulcrum.L7.Exchange;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.Benchmarks;

/// <summary>An exchange without a front end: a GET with a few headers, reset per run, for timing filter chains alone.</summary>
internal sealed class BenchExchange : HttpExchange
{
    private readonly IHeaderDictionary _request = new HeaderDictionary();
    private readonly IHeaderDictionary _response = new HeaderDictionary();

    public void Begin()
    {
        _request.Clear();
        _request.Host = "example.test";
        _request.UserAgent = "bench";
        _request.Accept = "*/*";
        _response.Clear();
        Status = 200;
        Reset(IPAddress.Loopback, 40000);
    }

    public override string Method => "GET";
    public override string Scheme => "http";
    public override string Protocol => "HTTP/1.1";
    public override HostString Host => new("example.test");
    public override PathString Path => new("/api/items");
    public override QueryString Query => QueryString.Empty;
    public override IHeaderDictionary RequestHeaders => _request;
    public override string? Cookie(string name) => null;
    public override StringValues QueryValue(string name) => StringValues.Empty;
    public override bool IsHttps => false;
    public override X509Certificate2? ClientCertificate => null;
    public override CancellationToken Aborted => CancellationToken.None;
    public override long? RequestContentLength => null;
    public override bool RequestHasBody => false;
    public override Stream RequestBody { get; set; } = Stream.Null;
    public override bool IsUpgradeOrConnect => false;
    public override int Status { get; set; }
    public override IHeaderDictionary ResponseHeaders => _response;
    public override long? ResponseContentLength { get; set; }
    public override Stream ResponseBody { get; set; } = Stream.Null;
    public override bool ResponseStarted => false;
    public override bool CanSendTrailers => false;
    public override void AppendTrailer(string name, StringValues value) { }

    public override void ClearResponse()
    {
        _response.Clear();
        Status = 200;
    }

    public override void Abort()
    {
    }
}
