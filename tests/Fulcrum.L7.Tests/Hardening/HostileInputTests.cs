using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;

namespace Fulcrum.L7.Tests.Hardening;

/// <summary>
/// Every case of <see cref="HostileCorpus"/> against a real listener in front of a <see cref="RecordingBackend"/>: the
/// client gets a right verdict, and the backend gets no ambiguous request and no more requests than the case allows.
/// This class runs it on Kestrel's front end (`front-end: kestrel`), the subclass below on Fulcrum's own.
/// </summary>
public class HostileInputTests(HostileInputTests.Proxy proxy) : IClassFixture<HostileInputTests.Proxy>
{
    public static TheoryData<string> Cases => [.. HostileCorpus.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task HostileRequest_GetsARightVerdict_AndTheBackendOnlyUnambiguousRequests(string name)
    {
        var hostile = HostileCorpus.All.Single(c => c.Name == name);
        proxy.Backend.Clear();

        var verdict = await ClientProbe.VerdictAsync(proxy.Endpoint, hostile.Bytes);

        Assert.True(hostile.Accept.Contains(verdict), $"{name}: got '{verdict}', right would be {string.Join(" or ", hostile.Accept)}");
        var requests = 0;
        foreach (var connection in proxy.Backend.Received)
        {
            var (count, problems) = BackendRules.Inspect(connection);
            Assert.True(problems.Count == 0, $"{name}: the backend received {string.Join("; ", problems)}");
            requests += count;
        }

        var expected = hostile.Backend ?? (verdict.StartsWith("200", StringComparison.Ordinal) ? 1 : 0);
        Assert.True(expected == requests, $"{name}: the backend received {requests} requests, expected {expected}");
    }

    /// <summary>One Fulcrum listener and one recording backend for the whole corpus (the cases run one at a time).</summary>
    public class Proxy : IAsyncLifetime, IAsyncDisposable
    {
        /// <summary>The listener's front end.</summary>
        protected virtual HttpFrontEnd FrontEnd => HttpFrontEnd.Kestrel;

        public RecordingBackend Backend { get; } = new();
        public ProxyHarness Harness { get; private set; } = null!;
        public IPEndPoint Endpoint => Harness.Plane.BoundEndpoints["web"];

        public async Task InitializeAsync()
        {
            var pool = new PoolConfig
            {
                Name = "app",
                Backends = [new BackendConfig { Address = Backend.Address }],
                Retries = new RetryConfig { Attempts = 1 },
            };
            Harness = await ProxyHarness.StartAsync(Configs.Of(Configs.Web(Configs.ToPool("app")) with { FrontEnd = FrontEnd }, pool));
        }

        public async Task DisposeAsync()
        {
            await Harness.DisposeAsync();
            await Backend.DisposeAsync();
        }

        async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();
    }
}

/// <summary>The same corpus against Fulcrum's own HTTP/1.1 front end (`front-end: fulcrum`).</summary>
public sealed class HostileInputOnFulcrumFrontEndTests(HostileInputOnFulcrumFrontEndTests.FulcrumProxy proxy)
    : HostileInputTests(proxy), IClassFixture<HostileInputOnFulcrumFrontEndTests.FulcrumProxy>
{
    public sealed class FulcrumProxy : Proxy
    {
        protected override HttpFrontEnd FrontEnd => HttpFrontEnd.Fulcrum;
    }
}
