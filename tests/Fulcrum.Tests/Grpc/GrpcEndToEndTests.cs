using System.Diagnostics;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;

namespace Fulcrum.Tests.Grpc;

/// <summary>
/// gRPC through the real `fulcrum run`: Grpc.AspNetCore backends on h2c and h2, a Grpc.Net.Client client on an h2c
/// listener. Every kind of call, a backend dying mid-stream, Fulcrum's own errors as grpc-status, grpc-timeout, and
/// the grpc.health.v1 probe (docs/grpc.md).
/// </summary>
public sealed class GrpcEndToEndTests
{
    private static string Yaml(string protocol, string algorithm, string backends, string extraPool = "", string extraRoute = "") => $$"""
        listeners:
          - name: web
            bind: 127.0.0.1:0
            protocol: http
            h2c: true
            routes:
              - match: { path-prefix: /nowhere/ }
                respond: { status: 200, body: "x" }
              - match: { path-prefix: /fulcrum.test.Echo/ }
                pool: app{{extraRoute}}
          - name: plain
            bind: 127.0.0.1:0
            protocol: http
            routes: [ { pool: app } ]
        pools:
          - name: app
            backend-protocol: {{protocol}}
            algorithm: {{algorithm}}{{extraPool}}
            backends:
        {{backends}}
        """;

    private static string Backend(GrpcBackend backend) => $"      - {{ name: {backend.Name}, address: {backend.Address} }}";

    [Fact]
    public async Task UnaryServerClientAndBidiStreamingCalls_PassThroughFulcrum_ToAnH2cBackend()
    {
        await using var backend = await GrpcBackend.StartAsync("g1");
        await using var fixture = await GrpcFixture.StartAsync(Yaml("h2c", "round-robin", Backend(backend)));
        var client = await fixture.ClientAsync();

        var unary = await client.UnaryAsync(new EchoRequest { Text = "hello" });
        Assert.Equal(("hello", "g1"), (unary.Text, unary.Backend));

        // Server streaming: the messages arrive as the backend writes them (an endless stream is read three deep).
        using (var stream = client.ServerStream(new EchoRequest { Text = "tick", Count = -1, DelayMs = 20 }))
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
                Assert.Equal(i, stream.ResponseStream.Current.Index);
            }
        }

        using (var finite = client.ServerStream(new EchoRequest { Text = "n", Count = 5 }))
        {
            var indexes = new List<int>();
            await foreach (var reply in finite.ResponseStream.ReadAllAsync()) indexes.Add(reply.Index);
            Assert.Equal([0, 1, 2, 3, 4], indexes);
            Assert.Equal(StatusCode.OK, finite.GetStatus().StatusCode); // the backend's trailers reached the client
        }

        using (var upload = client.ClientStream())
        {
            foreach (var text in new[] { "a", "b", "c" }) await upload.RequestStream.WriteAsync(new EchoRequest { Text = text });
            await upload.RequestStream.CompleteAsync();
            var joined = await upload.ResponseAsync;
            Assert.Equal(("a,b,c", 3), (joined.Text, joined.Index));
        }

        // Bidirectional: each answer comes back before the next request is sent, so both directions stream at once.
        using (var chat = client.Bidi())
        {
            for (var i = 0; i < 5; i++)
            {
                await chat.RequestStream.WriteAsync(new EchoRequest { Text = $"m{i}" });
                Assert.True(await chat.ResponseStream.MoveNext(CancellationToken.None));
                Assert.Equal($"m{i}", chat.ResponseStream.Current.Text);
            }

            await chat.RequestStream.CompleteAsync();
            Assert.False(await chat.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.OK, chat.GetStatus().StatusCode);
        }

        // The backend's own error status passes through as it sent it.
        var failed = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryAsync(new EchoRequest { Text = "fail" }));
        Assert.Equal((StatusCode.FailedPrecondition, "asked to fail"), (failed.StatusCode, failed.Status.Detail));
    }

    [Fact]
    public async Task GrpcAndPlainHttp_ReachAnH2BackendOverTls_NegotiatedByAlpn()
    {
        await using var backend = await GrpcBackend.StartAsync("t1", tls: true);
        var pool = "\n    tls: { ca: backend.pem, server-name: localhost }";
        await using var fixture = await GrpcFixture.StartAsync(Yaml("h2", "round-robin", Backend(backend), pool), ("backend.pem", backend.CertificatePem!));
        var client = await fixture.ClientAsync();

        Assert.Equal("t1", (await client.UnaryAsync(new EchoRequest { Text = "x" })).Backend);
        using (var chat = client.Bidi())
        {
            await chat.RequestStream.WriteAsync(new EchoRequest { Text = "over tls" });
            Assert.True(await chat.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal("over tls", chat.ResponseStream.Current.Text);
            await chat.RequestStream.CompleteAsync();
        }

        // A plain HTTP/1.1 request to an http listener goes to the backend as HTTP/2 over TLS, with the client's Host.
        using var http = GrpcFixture.PlainClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(await fixture.ListenerAsync("plain"), "plain")) { Headers = { { "X-Test", "kept" } } };
        request.Headers.Host = "app.example";
        using var response = await http.SendAsync(request);
        Assert.Equal("t1 HTTP/2 https app.example kept", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PlainHttp_IsForwardedOverH2c_WithTheClientsHostAndHeaders()
    {
        await using var backend = await GrpcBackend.StartAsync("p1");
        await using var fixture = await GrpcFixture.StartAsync(Yaml("h2c", "round-robin", Backend(backend)));
        using var http = GrpcFixture.PlainClient();
        var url = new Uri(await fixture.ListenerAsync("plain"), "plain");

        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "X-Test", $"n{i}" } } };
            request.Headers.Host = "app.example";
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"p1 HTTP/2 http app.example n{i}", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(1, backend.Connections); // three requests, one HTTP/2 connection
    }

    [Fact]
    public async Task LeastConnections_CountsConcurrentStreams_NotTheOneConnectionTheyShare()
    {
        await using var a = await GrpcBackend.StartAsync("a");
        await using var b = await GrpcBackend.StartAsync("b");
        await using var fixture = await GrpcFixture.StartAsync(Yaml("h2c", "least-connections", Backend(a) + "\n" + Backend(b)));
        using var http = GrpcFixture.PlainClient();
        var url = new Uri(await fixture.ListenerAsync("plain"), "hold");

        // Open each backend's connection first: on a cold pool a burst may race the first connection's SETTINGS and
        // the handler (which may open more than one HTTP/2 connection per backend) can start a second one. Ties in
        // least-connections rotate, so two requests in a row reach a and then b.
        for (var i = 0; i < 2; i++) await http.GetStringAsync(new Uri(url, "plain"));
        Assert.Equal((1, 1), (a.Connections, b.Connections));

        var held = Enumerable.Range(0, 10).Select(_ => http.GetStringAsync(url)).ToArray();
        await Poll.UntilAsync(() => a.Held + b.Held == 10, "ten requests held at the backends");

        // Ten slow streams: the leases count ten, least-connections split them five and five, and each backend carries
        // its five on one HTTP/2 connection.
        Assert.Equal(5, (await fixture.BackendAsync("app", "a")).GetProperty("active").GetInt32());
        Assert.Equal(5, (await fixture.BackendAsync("app", "b")).GetProperty("active").GetInt32());
        Assert.Equal((5, 5), (a.Held, b.Held));
        Assert.Equal((1, 1), (a.Connections, b.Connections));

        a.ReleaseHeld();
        b.ReleaseHeld();
        Assert.Equal(10, (await Task.WhenAll(held)).Length);
        await Poll.UntilAsync(async () => (await fixture.BackendAsync("app", "a")).GetProperty("active").GetInt32() == 0, "the leases to be released");
    }

    [Fact]
    public async Task ABackendKilledMidStream_EndsTheCallWithUnavailable()
    {
        await using var backend = await GrpcBackend.StartAsync("k1");
        await using var fixture = await GrpcFixture.StartAsync(Yaml("h2c", "round-robin", Backend(backend)));
        var client = await fixture.ClientAsync();

        using var stream = client.ServerStream(new EchoRequest { Text = "live", Count = -1, DelayMs = 50 });
        Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
        await backend.KillAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await stream.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("pool 'app'", error.Status.Detail);
    }

    [Fact]
    public async Task FulcrumsOwnRefusals_AreGrpcStatuses()
    {
        await using var backend = await GrpcBackend.StartAsync("r1");
        var dead = await GrpcBackend.StartAsync("dead");
        await dead.KillAsync();
        await dead.DisposeAsync();
        var yaml = $$"""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                h2c: true
                routes:
                  - match: { path-prefix: /fulcrum.test.Echo/Bidi }
                    pool: gone
                  - match: { path-prefix: /fulcrum.test.Echo/ClientStream }
                    pool: app
                    rate-limit: { key: route, rate: 1/m, nodelay: true }
                  - match: { path-prefix: /fulcrum.test.Echo/ }
                    pool: app
            pools:
              - name: app
                backend-protocol: h2c
                backends: [ { address: {{backend.Address}} } ]
              - name: gone
                backend-protocol: h2c
                backends: [ { address: {{dead.Address}} } ]
            """;
        await using var fixture = await GrpcFixture.StartAsync(yaml);
        var client = await fixture.ClientAsync();

        // A backend that refuses connections: 502 becomes 14 UNAVAILABLE.
        using (var bidi = client.Bidi())
        {
            var unavailable = await Assert.ThrowsAsync<RpcException>(async () => await bidi.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.Unavailable, unavailable.StatusCode);
        }

        // No route for the method: 404 becomes 12 UNIMPLEMENTED.
        var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(await fixture.ListenerAsync());
        var health = new global::Grpc.Health.V1.Health.HealthClient(channel);
        var unimplemented = await Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest()));
        Assert.Equal(StatusCode.Unimplemented, unimplemented.StatusCode);

        // Over the route's rate limit: 429 becomes 8 RESOURCE_EXHAUSTED.
        using (var first = client.ClientStream())
        {
            await first.RequestStream.CompleteAsync();
            await first.ResponseAsync;
        }

        using (var second = client.ClientStream())
        {
            var exhausted = await Assert.ThrowsAsync<RpcException>(async () => await second.ResponseAsync);
            Assert.Equal(StatusCode.ResourceExhausted, exhausted.StatusCode);
        }
    }

    [Fact]
    public async Task AClientStreamEndedWithItsHeaders_KeepsItsContentType_OnTheWayToTheBackend()
    {
        await using var backend = await GrpcBackend.StartAsync("e1");
        await using var fixture = await GrpcFixture.StartAsync(Yaml("h2c", "round-robin", Backend(backend)));
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(await fixture.ListenerAsync(), "fulcrum.test.Echo/ClientStream"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([]), // no messages: the stream ends with the request's headers
        };
        request.Content.Headers.ContentType = new("application/grpc");

        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
    }

    [Fact]
    public async Task GrpcTimeout_BoundsTheBackendLeg_AndAnswersDeadlineExceeded()
    {
        await using var backend = await GrpcBackend.StartAsync("d1");
        await using var fixture = await GrpcFixture.StartAsync(Yaml("h2c", "round-robin", Backend(backend)));

        // A client that sends grpc-timeout without enforcing it itself, so the answer is Fulcrum's: a raw HTTP/2 call.
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        var message = new EchoRequest { Text = "slow", DelayMs = 20_000 }.ToByteArray();
        var framed = new byte[5 + message.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), message.Length);
        message.CopyTo(framed, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(await fixture.ListenerAsync(), "fulcrum.test.Echo/Unary"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(framed),
        };
        request.Content.Headers.ContentType = new("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.TryAddWithoutValidation("grpc-timeout", "300m");

        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        clock.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("4", response.Headers.GetValues("grpc-status").Single()); // Trailers-Only: DEADLINE_EXCEEDED
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the deadline took {clock.Elapsed}");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"answered before the deadline: {clock.Elapsed}");
    }

    [Fact]
    public async Task GrpcHealthProbe_TakesANotServingBackendOut_AndBringsItBackWhenServing()
    {
        await using var a = await GrpcBackend.StartAsync("a");
        await using var b = await GrpcBackend.StartAsync("b");
        var health = "\n    health:\n      active: { type: grpc, service: fulcrum.test.Echo, interval: 200ms, timeout: 2s, rise: 1, fall: 1 }";
        await using var fixture = await GrpcFixture.StartAsync(Yaml("h2c", "round-robin", Backend(a) + "\n" + Backend(b), health));
        var client = await fixture.ClientAsync();
        await Poll.UntilAsync(async () => (await fixture.BackendAsync("app", "a")).GetProperty("health").GetString() == "up", "a to be up");

        a.Health.SetStatus("fulcrum.test.Echo", HealthCheckResponse.Types.ServingStatus.NotServing);
        await Poll.UntilAsync(async () => (await fixture.BackendAsync("app", "a")).GetProperty("health").GetString() == "down", "the probe to take a down");
        var served = new HashSet<string>();
        for (var i = 0; i < 6; i++) served.Add((await client.UnaryAsync(new EchoRequest { Text = "x" })).Backend);
        Assert.Equal(["b"], served);
        Assert.Contains("NOT_SERVING", (await fixture.BackendAsync("app", "a")).ToString());

        a.Health.SetStatus("fulcrum.test.Echo", HealthCheckResponse.Types.ServingStatus.Serving);
        await Poll.UntilAsync(async () => (await fixture.BackendAsync("app", "a")).GetProperty("health").GetString() == "up", "a to come back");
    }
}
