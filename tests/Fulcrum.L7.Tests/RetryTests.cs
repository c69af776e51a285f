using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

public sealed class RetryTests
{
    [Fact]
    public async Task ConnectFailure_IsRetriedOnAnotherBackend_SoTheClientSeesNoError()
    {
        await using var backends = await Backends.StartAsync("ok");
        var pool = new PoolConfig
        {
            Name = "api",
            Health = new HealthConfig { Passive = new PassiveHealthConfig { ConsecutiveFailures = 0 } },
            Backends = [new BackendConfig { Name = "dead", Address = $"127.0.0.1:{ClosedPort()}" }, new BackendConfig { Name = "ok", Address = backends[0].Address }],
        };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("api")), pool));

        for (var i = 0; i < 10; i++)
        {
            using var response = await proxy.Client.PostAsync("/", null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(10, backends[0].Requests);
        Assert.InRange(proxy.Pool("api").Find("dead")!.Stats.Failures, 1, 10);
    }

    [Fact]
    public async Task ConnectFailure_WithAttemptsOne_IsNotRetried()
    {
        var pool = new PoolConfig
        {
            Name = "api",
            Retries = new RetryConfig { Attempts = 1 },
            Backends = [new BackendConfig { Address = $"127.0.0.1:{ClosedPort()}" }, new BackendConfig { Address = $"127.0.0.1:{ClosedPort()}" }],
        };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("api")), pool));
        using var response = await proxy.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(1, proxy.Pool("api").Backends.Sum(b => b.Stats.Total));
    }

    [Fact]
    public async Task Status503_OfAnIdempotentRequest_IsRetriedElsewhere_WhenThePoolAllows()
    {
        await using var sick = await SickBackend.StartAsync();
        await using var backends = await Backends.StartAsync("ok");
        var pool = new PoolConfig
        {
            Name = "api",
            Retries = new RetryConfig { Attempts = 2, On = [RetryOn.ConnectFailure, RetryOn.Status503] },
            Health = new HealthConfig { Passive = new PassiveHealthConfig { ConsecutiveFailures = 0 } },
            Backends = [new BackendConfig { Name = "sick", Address = sick.Address }, new BackendConfig { Name = "ok", Address = backends[0].Address }],
        };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("api")), pool));

        for (var i = 0; i < 6; i++)
        {
            using var get = await proxy.Client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal("ok", await get.Content.ReadAsStringAsync());
        }

        Assert.InRange(sick.Requests, 1, 6);
        Assert.Equal(sick.Requests, proxy.Pool("api").Find("sick")!.Stats.Failures);

        // POST is not idempotent: the sick backend's 503 goes to the client as it is.
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 2; i++)
        {
            using var post = await proxy.Client.PostAsync("/", null);
            answers.Add(post.StatusCode);
        }

        Assert.Contains(HttpStatusCode.ServiceUnavailable, answers);
    }

    [Fact]
    public async Task Status503_IsPassedThrough_WhenThePoolDoesNotRetryOnIt()
    {
        await using var sick = await SickBackend.StartAsync();
        await using var backends = await Backends.StartAsync("ok");
        var pool = new PoolConfig
        {
            Name = "api",
            Health = new HealthConfig { Passive = new PassiveHealthConfig { ConsecutiveFailures = 0 } },
            Backends = [new BackendConfig { Name = "sick", Address = sick.Address }, new BackendConfig { Name = "ok", Address = backends[0].Address }],
        };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("api")), pool));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 2; i++)
        {
            using var get = await proxy.Client.GetAsync("/");
            statuses.Add(get.StatusCode);
        }

        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A backend that answers 503 "sick" to everything.</summary>
    private sealed class SickBackend : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;

        private SickBackend(WebApplication app) => _app = app;

        public string Address { get; private set; } = "";
        public int Requests => Volatile.Read(ref _requests);

        public static async Task<SickBackend> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var self = new SickBackend(app);
            app.Run(context =>
            {
                Interlocked.Increment(ref self._requests);
                context.Response.StatusCode = 503;
                return context.Response.WriteAsync("sick");
            });
            await app.StartAsync();
            self.Address = new Uri(app.Urls.First()).Authority;
            return self;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
