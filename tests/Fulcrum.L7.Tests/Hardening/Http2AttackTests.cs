using System.Net;
using System.Text.Json;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using Fulcrum.L7.Tests.Tls;

namespace Fulcrum.L7.Tests.Hardening;

/// <summary>
/// HTTP/2 abuse (h2attack.py, raw frames from Debian's python3-h2) against an https listener while an ordinary HTTP/2
/// client keeps making requests: every one of its requests must succeed during and after the attack, the attack must
/// end (Fulcrum closes the abusive connection or copes with it), and the heap must stay bounded.
/// </summary>
public sealed class Http2AttackTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    /// <summary>Each attack, its size, and whether Fulcrum must close the abusive connection (a flood of what it must answer need not).</summary>
    public static TheoryData<string, int, bool> Attacks => new()
    {
        { "rapid-reset", 20000, true },
        { "continuation-flood", 20000, true },
        { "continuation-flood-empty", 200000, true },
        { "settings-flood", 100000, false },
        { "ping-flood", 100000, false },
        { "hpack-bomb", 20000, true },
        { "stream-limit", 1000, true },
        { "zero-window", 50, false },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public Task Attack_LeavesOtherClientsServed_AndTheHeapBounded(string attack, int count, bool closes) =>
        AttackAsync(attack, count, closes, HttpFrontEnd.Kestrel);

    [Theory]
    [MemberData(nameof(Attacks))]
    public Task Attack_OnFulcrumFrontEnd_LeavesOtherClientsServed_AndTheHeapBounded(string attack, int count, bool closes) =>
        AttackAsync(attack, count, closes, HttpFrontEnd.Fulcrum);

    private async Task AttackAsync(string attack, int count, bool closes, HttpFrontEnd frontEnd)
    {
        Assert.True(File.Exists(PythonScript.Python), "needs /usr/bin/python3 with python3-h2 (scripts/install-deps.sh)");
        await using var backends = await Backends.StartAsync("a");
        var (cert, key) = _pki.Write(_pki.Issue(["a.test", "127.0.0.1"]), "a");
        var tls = new ListenerTlsConfig { Certificates = [new CertificateConfig { Cert = cert, Key = key }] };
        await using var proxy = await ProxyHarness.StartAsync(new FulcrumConfig
        {
            Listeners = [HttpsListenerTests.Secure(tls, Configs.ToPool("app")) with { FrontEnd = frontEnd }],
            Pools = [Configs.Pool("app", backends.All)],
        });
        using var client = HttpsListenerTests.HttpsClient(proxy);
        client.DefaultRequestVersion = HttpVersion.Version20;
        client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);

        var port = proxy.Plane.BoundEndpoints["web"].Port;
        var run = RunAsync(attack, port, count);
        var served = 0;
        while (!run.IsCompleted)
        {
            using var response = await client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            served++;
            await Task.WhenAny(run, Task.Delay(50));
        }

        var result = await run;
        output.WriteLine($"{result} served={served}");
        if (closes) Assert.True(JsonDocument.Parse(result).RootElement.GetProperty("closed").GetBoolean(), $"{attack}: the abusive connection was kept open ({result})");
        using (var after = await client.GetAsync("/")) Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        backends[0].ReleaseHeld();
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(heapAfter - heapBefore < 64 * 1024 * 1024, $"{attack}: the heap grew {(heapAfter - heapBefore) / 1024 / 1024} MiB ({result})");
        Assert.True(served > 0 || result.Contains("\"seconds\": 0", StringComparison.Ordinal), $"{attack}: no ordinary request ran during the attack ({result})");
    }

    private static async Task<string> RunAsync(string attack, int port, int count)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Hardening", "h2attack.py");
        var (exitCode, output, error) = await PythonScript.RunAsync(attack, script, attack, "127.0.0.1", port.ToString(), count.ToString());
        var text = output.Trim();
        Assert.True(exitCode == 0, $"{attack}: h2attack.py failed: {error}");
        using var json = JsonDocument.Parse(text);
        return text;
    }
}
