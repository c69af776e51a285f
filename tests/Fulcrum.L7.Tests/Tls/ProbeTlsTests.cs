using Fulcrum.Core.Configuration;
using Fulcrum.Core.Health;
using Fulcrum.Core.Model;
using Fulcrum.Health;
using Fulcrum.L7.Tests.Support;
using Fulcrum.L7.Tls;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.L7.Tests.Tls;

/// <summary>Active probes of an https pool verify the backend's certificate as the pool's traffic does (<see cref="ProbeTls"/>).</summary>
public sealed class ProbeTlsTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private static TopologyStore Store(int port, string tls)
    {
        var result = ConfigLoader.LoadText($$"""
            pools:
              - name: secure
            {{tls}}
                health:
                  active: { path: /, interval: 100ms, timeout: 2s, rise: 1, fall: 1 }
                backends:
                  - { name: b1, address: "https://localhost:{{port}}" }
            """, "fulcrum.yaml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return new TopologyStore(result.Config!);
    }

    private static HealthCheckPlane Plane(TopologyStore store) => new(store, NullLoggerFactory.Instance) { TlsConnect = ProbeTls.For };

    [Fact]
    public async Task Probe_WithThePoolsCa_PassesOverTls_WithTheAddressHostAsSni()
    {
        await using var backend = await TlsTestServer.StartWithCertificateAsync(_pki, ["localhost"]);
        var store = Store(backend.Port, $"    tls: {{ ca: {_pki.CaPath} }}");
        await using var plane = Plane(store);
        plane.Start();
        var b1 = store.Current.Pools["secure"].Find("b1")!;

        await Poll.UntilAsync(() => b1.HealthDetail.LastProbe?.StartsWith("passed", StringComparison.Ordinal) == true, "a passing probe");
        Assert.Equal(HealthStatus.Up, b1.Health);
        Assert.Contains("localhost", backend.ServerNamesSeen);
    }

    [Fact]
    public async Task Probe_OfACertificateTrafficWouldRefuse_Fails_AndTheBackendIsDown()
    {
        // No tls block: the system store, which does not know the test CA; traffic answers 502 here.
        await using var backend = await TlsTestServer.StartWithCertificateAsync(_pki, ["localhost"]);
        var store = Store(backend.Port, "");
        await using var plane = Plane(store);
        plane.Start();
        var b1 = store.Current.Pools["secure"].Find("b1")!;

        await Poll.UntilAsync(() => b1.Health == HealthStatus.Down, "down on a certificate the pool does not trust");
        Assert.StartsWith("failed: tls handshake failed", b1.HealthDetail.LastProbe);
        Assert.Contains("localhost", backend.ServerNamesSeen);
    }

    [Fact]
    public async Task Probe_WithInsecureSkipVerify_Passes()
    {
        await using var backend = await TlsTestServer.StartWithCertificateAsync(_pki, ["elsewhere.test"]);
        var store = Store(backend.Port, "    tls: { insecure-skip-verify: true }");
        await using var plane = Plane(store);
        plane.Start();
        var b1 = store.Current.Pools["secure"].Find("b1")!;

        await Poll.UntilAsync(() => b1.HealthDetail.LastProbe?.StartsWith("passed", StringComparison.Ordinal) == true, "a passing probe");
    }
}
