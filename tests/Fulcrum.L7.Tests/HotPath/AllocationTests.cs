using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using Xunit.Abstractions;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.HotPath;

/// <summary>Runs alone: the process's allocation count must be this test's proxy's.</summary>
[CollectionDefinition(nameof(AllocationCounting), DisableParallelization = true)]
public sealed class AllocationCounting;

/// <summary>
/// What a keep-alive request costs the proxy in allocated bytes (docs/performance.md, "The hot path"). The client and
/// the backend allocate nothing per request, so the process's count over many requests is the proxy's: the front end
/// (Kestrel's or Fulcrum's own), the route, the default filters (X-Request-ID, X-Forwarded-*), the pick, the backend leg
/// and the access-log record. The bound is generous (several times what was measured), so only a new per-request allocation of some size
/// trips it, not the noise of a timer or the JIT that the count also sees.
/// </summary>
[Collection(nameof(AllocationCounting))]
public sealed class AllocationTests(ITestOutputHelper output)
{
    private const int Warmup = 3000;
    private const int Requests = 20_000;

    [Theory]
    [InlineData(HttpFrontEnd.Kestrel)]
    [InlineData(HttpFrontEnd.Fulcrum)]
    public async Task KeepAliveRequest_OnTheDefaultRoute_AllocatesUnder_1KiB(HttpFrontEnd frontEnd)
    {
        using var backend = FixedAnswerBackend.Start();
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")) with { FrontEnd = frontEnd }, backend.Pool("app")));
        using var client = new KeepAliveClient(proxy.Plane.BoundEndpoints["web"]);

        var perRequest = await Task.Run(() => Measure(client));

        output.WriteLine($"{perRequest:0} bytes allocated per keep-alive request");
        if (Environment.GetEnvironmentVariable("FULCRUM_ALLOCATION_SAMPLES") == "1") await Task.Run(() => Sample(client));
        Assert.True(perRequest < 1024, $"{perRequest:0} bytes allocated per keep-alive request");
    }

    // The own front end over TLS (SslStream over the ring's stream with io_uring, .NET's sockets with epoll): what TLS
    // adds per request must stay small, since with many connections on one thread the pools' few cached objects run out
    // and every allocation here is paid in GC time (docs/performance.md, "HTTPS keep-alive: where the user time goes,
    // and TLS records sent behind").
    [Fact]
    public async Task KeepAliveRequest_OverTls_OnTheOwnFrontEnd_AllocatesUnder_1KiB()
    {
        using var pki = new Tls.TestPki();
        var (cert, key) = pki.Write(pki.Issue(["app.test"]), "app");
        using var backend = FixedAnswerBackend.Start();
        var listener = Tls.HttpsListenerTests.Secure(new Fulcrum.Core.Configuration.ListenerTlsConfig
        {
            Certificates = [new Fulcrum.Core.Configuration.CertificateConfig { Cert = cert, Key = key }],
            Alpn = ["http/1.1"],
        }, ToPool("app")) with { FrontEnd = Fulcrum.Core.Configuration.HttpFrontEnd.Fulcrum };
        await using var proxy = await ProxyHarness.StartAsync(Of(listener, backend.Pool("app")));
        using var client = new KeepAliveClient(proxy.Plane.BoundEndpoints["web"], tls: true);

        var perRequest = await Task.Run(() => Measure(client));

        output.WriteLine($"{perRequest:0} bytes allocated per keep-alive request over TLS");
        if (Environment.GetEnvironmentVariable("FULCRUM_ALLOCATION_SAMPLES") == "1") await Task.Run(() => Sample(client));
        Assert.True(perRequest < 1024, $"{perRequest:0} bytes allocated per keep-alive request over TLS");
    }

    private static double Measure(KeepAliveClient client)
    {
        client.Run(Warmup);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        client.Run(Requests);
        var after = GC.GetTotalAllocatedBytes(precise: true);
        return (after - before) / (double)Requests;
    }

    // FULCRUM_ALLOCATION_SAMPLES=1: which types the bytes are, for whoever hunts them next.
    private void Sample(KeepAliveClient client)
    {
        using var sampler = new AllocationSampler();
        client.Run(Requests);
        foreach (var (type, samples) in sampler.Top(20)) output.WriteLine($"{samples,6} {type}");
    }
}
