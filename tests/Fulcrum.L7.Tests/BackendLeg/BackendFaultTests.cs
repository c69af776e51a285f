using System.Diagnostics;
using System.Net;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.BackendLeg;

/// <summary>
/// Backends that fail in the ways real ones do (issue 18, item 3): each fault gives its own request the right answer
/// (502, 504, a cut connection once the answer has started, or a retry where the pool allows), while a request to a
/// healthy backend, held in flight for the whole fault, comes back whole.
/// </summary>
public sealed class BackendFaultTests
{
    // Short enough that a fault which waits out the timeout keeps the suite fast; a healthy answer never waits on it.
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(400);

    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    [Fact]
    public async Task ResetMidBody_CutsThatClientOnly()
    {
        await using var faulty = AnsweringOnce("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + new string('d', 20_000), reset: true);

        await WithHeldNeighbourAsync(faulty.Pool("faulty"), async proxy =>
        {
            await AssertCutAsync(proxy.Client, "/fault");
            await Poll.UntilAsync(() => proxy.Pool("faulty").Backends[0].Stats.Resets == 1, "the reset to count against the backend");
        });
    }

    [Fact]
    public async Task ResetMidChunkedBody_CutsThatClientOnly()
    {
        await using var faulty = AnsweringOnce(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4000\r\n" + new string('c', 0x4000) + "\r\n4000\r\nonly a part", reset: true);

        await WithHeldNeighbourAsync(faulty.Pool("faulty"), proxy => AssertCutAsync(proxy.Client, "/fault"));
    }

    [Fact]
    public async Task ShortContentLength_AfterPartOfTheBody_CutsThatClientOnly()
    {
        // The backend claims 1000 bytes and closes (a FIN) after 10.
        await using var faulty = AnsweringOnce("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nten bytes.");

        await WithHeldNeighbourAsync(faulty.Pool("faulty"), async proxy =>
        {
            await AssertCutAsync(proxy.Client, "/fault");
            await Poll.UntilAsync(() => proxy.Pool("faulty").Backends[0].Stats.Failures == 1, "the short body to count against the backend");
        });
    }

    [Fact]
    public async Task ShortContentLength_BeforeAnyBodyByte_Answers502()
    {
        await using var faulty = AnsweringOnce("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nX-Backend: lies\r\n\r\n");

        await WithHeldNeighbourAsync(faulty.Pool("faulty"), async proxy =>
        {
            // Nothing of the answer went out yet, so the balancer can still say what happened, without the backend's headers.
            using var response = await proxy.Client.GetAsync("/fault");
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.False(response.Headers.Contains("X-Backend"));
            Assert.Contains("pool 'faulty'", await response.Content.ReadAsStringAsync());
        });
    }

    [Fact]
    public async Task LongContentLength_InTheSameSegment_IsCutAtTheLength_AndTheConnectionIsNotReused()
    {
        await using var faulty = RawBackend.KeepAlive(_ => Ok + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil");

        await WithHeldNeighbourAsync(faulty.Pool("faulty"), async proxy =>
        {
            for (var i = 0; i < 3; i++) Assert.Equal("ok", await proxy.Client.GetStringAsync("/fault"));
            Assert.Equal(3, faulty.Accepted);
        });
    }

    [Fact]
    public async Task LongContentLength_ArrivingAfterTheBody_NeverReachesTheNextRequest()
    {
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var extraSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var faulty = RawBackend.Start(async connection =>
        {
            if (await connection.ReadRequestAsync() is null) return;
            await connection.WriteAsync(Ok);
            if (!extraSent.Task.IsCompleted)
            {
                // The first connection: once its answer is complete at the client, the backend sends what it did not
                // announce, shaped like an answer to whatever request comes next on this connection.
                await answered.Task;
                await connection.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil");
                extraSent.TrySetResult();
            }

            while (await connection.ReadRequestAsync() is not null) await connection.WriteAsync(Ok);
        });

        await WithHeldNeighbourAsync(faulty.Pool("faulty"), async proxy =>
        {
            Assert.Equal("ok", await proxy.Client.GetStringAsync("/fault"));
            answered.TrySetResult();
            await Poll.Within(extraSent.Task);

            // Another client's request to the same backend must get the backend's answer to it, not the leftover.
            var other = proxy.CreateClient();
            for (var i = 0; i < 3; i++) Assert.Equal("ok", await other.GetStringAsync("/fault"));
            Assert.Equal(2, faulty.Accepted);
        });
    }

    [Fact]
    public async Task TricklingHead_Answers504_AfterTheRequestTimeout()
    {
        await using var faulty = RawBackend.Start(async connection =>
        {
            await connection.ReadRequestAsync();
            foreach (var b in Encoding.Latin1.GetBytes(Ok))
            {
                await connection.WriteAsync([b]);
                await Task.Delay(TimeSpan.FromSeconds(1)); // the fault itself: a byte a second
            }
        });

        await WithHeldNeighbourAsync(faulty.Pool("faulty", ShortTimeout), async proxy =>
        {
            using var response = await proxy.Client.GetAsync("/fault");
            Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
            Assert.Equal(1, proxy.Pool("faulty").Backends[0].Stats.Timeouts);
        });
    }

    [Fact]
    public async Task TricklingBody_CutsThatClient_AfterTheRequestTimeout()
    {
        await using var faulty = RawBackend.Start(async connection =>
        {
            await connection.ReadRequestAsync();
            await connection.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
            for (var i = 0; i < 100; i++)
            {
                await connection.WriteAsync("t");
                await Task.Delay(TimeSpan.FromSeconds(1)); // the fault itself: a byte a second
            }
        });

        await WithHeldNeighbourAsync(faulty.Pool("faulty", ShortTimeout), async proxy =>
        {
            await AssertCutAsync(proxy.Client, "/fault");
            await Poll.UntilAsync(() => proxy.Pool("faulty").Backends[0].Stats.Timeouts == 1, "the stall to count as a timeout");
        });
    }

    [Fact]
    public async Task NeverAnswering_Answers504_AfterTheRequestTimeout_AndClosesTheConnection()
    {
        await using var faulty = RawBackend.Start(async connection =>
        {
            await connection.ReadRequestAsync();
            await connection.ReadRequestAsync(); // never answers; returns when the proxy gives up
        });

        await WithHeldNeighbourAsync(faulty.Pool("faulty", ShortTimeout), async proxy =>
        {
            var clock = Stopwatch.StartNew();
            using var response = await proxy.Client.GetAsync("/fault");
            Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
            Assert.True(clock.Elapsed >= ShortTimeout * 0.9, $"answered after {clock.Elapsed.TotalMilliseconds:0} ms, before the timeout");
            Assert.Contains("did not answer in time", await response.Content.ReadAsStringAsync());
            await Poll.UntilAsync(() => faulty.ClosedByPeer == 1, "the timed-out connection to be closed");
        });
    }

    [Fact]
    public async Task HundredInterimResponses_AreSkipped_AndTheConnectionIsReused()
    {
        var interim = string.Concat(Enumerable.Range(0, 100).Select(i => i % 2 == 0
            ? "HTTP/1.1 100 Continue\r\n\r\n"
            : $"HTTP/1.1 103 Early Hints\r\nLink: </style-{i}.css>; rel=preload\r\n\r\n"));
        await using var faulty = RawBackend.KeepAlive(_ => interim + Ok);

        await WithHeldNeighbourAsync(faulty.Pool("faulty"), async proxy =>
        {
            for (var i = 0; i < 3; i++) Assert.Equal("ok", await proxy.Client.GetStringAsync("/fault"));
            Assert.Equal(1, faulty.Accepted);
        });
    }

    [Fact]
    public async Task EndlessInterimResponses_Answer502()
    {
        await using var faulty = RawBackend.Start(async connection =>
        {
            await connection.ReadRequestAsync();
            var burst = string.Concat(Enumerable.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 100));
            while (true) await connection.WriteAsync(burst); // ends when the proxy closes the connection
        });

        await WithHeldNeighbourAsync(faulty.Pool("faulty"), async proxy =>
        {
            using var response = await proxy.Client.GetAsync("/fault");
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        });
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\nContent-Length: 2\n\nok")]         // bare LF line ends
    [InlineData("HTTP/1.1 200 OK\rX-Smuggled: yes\r\n\r\n")]          // bare CR in the reason
    [InlineData("HTTP/1.1 200 O\u0000K\r\nContent-Length: 2\r\n\r\nok")] // NUL in the reason
    [InlineData("HTTP/2 200\r\n\r\n")]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n")]
    [InlineData("HTTP/1.1 600 Beyond\r\n\r\n")]
    [InlineData("HTTP/1.1  200 OK\r\n\r\n")]
    [InlineData("http/1.1 200 OK\r\n\r\n")]
    [InlineData("ICY 200 OK\r\n\r\n")]
    [InlineData("SSH-2.0-OpenSSH_9.2p1 Debian\r\n")]                    // no empty line follows
    [InlineData("\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")]  // a leading empty line
    public async Task InvalidStatusLine_Answers502_WithoutWaitingForTheTimeout(string answer)
    {
        // The backend sends its line and then holds the connection: waiting for more would end in a 504.
        await using var faulty = RawBackend.Start(async connection =>
        {
            await connection.ReadRequestAsync();
            await connection.WriteAsync(answer);
            await connection.ReadRequestAsync();
        });

        await WithHeldNeighbourAsync(faulty.Pool("faulty", TimeSpan.FromSeconds(20)), async proxy =>
        {
            using var response = await proxy.Client.GetAsync("/fault");
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal(1, proxy.Pool("faulty").Backends[0].Stats.Failures);
        });
    }

    [Theory]
    [InlineData("X-Ctl: a\u0001b")]
    [InlineData("X-Del: a\u007fb")]
    [InlineData("X(y): z")]
    [InlineData("X-A: 1\nX-Smuggled: yes")]
    [InlineData("Transfer-Encoding: chunked, chunked")]
    public async Task InvalidHeaderField_Answers502(string field)
    {
        await using var faulty = RawBackend.KeepAlive(_ => $"HTTP/1.1 200 OK\r\n{field}\r\nContent-Length: 2\r\n\r\nok");

        await WithHeldNeighbourAsync(faulty.Pool("faulty"), async proxy =>
        {
            using var response = await proxy.Client.GetAsync("/fault");
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal(0, proxy.Pool("faulty").Backends[0].Stats.Active);
        });
    }

    [Fact]
    public async Task Latin1HeaderValue_ReachesTheClientByteForByte()
    {
        // obs-text is valid in a field value (RFC 9110 section 5.5); Kestrel's ASCII-only default answered 500 and
        // left the backend's lease taken.
        await using var faulty = RawBackend.KeepAlive(_ => "HTTP/1.1 200 OK\r\nContent-Disposition: attachment; filename=\"caf\u00e9.txt\"\r\nContent-Length: 2\r\n\r\nok");

        await WithHeldNeighbourAsync(faulty.Pool("faulty"), async proxy =>
        {
            using var response = await proxy.Client.GetAsync("/fault");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("attachment; filename=\"caf\u00e9.txt\"", response.Content.Headers.GetValues("Content-Disposition").Single());
            Assert.Equal(0, proxy.Pool("faulty").Backends[0].Stats.Active);
        });
    }

    [Theory]
    [InlineData("5;a\nb\r\nhello\r\n0\r\n\r\n")]        // CVE-2025-55315's bare LF in an extension
    [InlineData("5;a\rb\r\nhello\r\n0\r\n\r\n")]
    [InlineData("FFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=b c\r\nhello\r\n0\r\n\r\n")]
    public async Task InvalidFirstChunkLine_Answers502(string body)
    {
        await using var faulty = RawBackend.KeepAlive(_ => "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body);

        await WithHeldNeighbourAsync(faulty.Pool("faulty"), async proxy =>
        {
            using var response = await proxy.Client.GetAsync("/fault");
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        });
    }

    [Theory]
    [InlineData("5\r\nhello\r\n0\n\r\n")]
    [InlineData("5\r\nhello\n0\r\n\r\n")]
    [InlineData("5\r\nhello\r\n0\r\nX-T: a\nb\r\n\r\n")]
    public async Task InvalidChunkedFraming_AfterTheFirstChunk_CutsThatClientOnly(string body)
    {
        await using var faulty = RawBackend.KeepAlive(_ => "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body);

        await WithHeldNeighbourAsync(faulty.Pool("faulty"), proxy => AssertCutAsync(proxy.Client, "/fault"));
    }

    [Fact]
    public async Task MegabyteOfHeaders_Answers502()
    {
        await using var faulty = RawBackend.Start(async connection =>
        {
            await connection.ReadRequestAsync();
            await connection.WriteAsync("HTTP/1.1 200 OK\r\n");
            var line = "X-Filler: " + new string('h', 1000) + "\r\n";
            for (var i = 0; i < 1024; i++) await connection.WriteAsync(line); // fails once the proxy gives up
            await connection.WriteAsync("Content-Length: 2\r\n\r\nok");
        });

        await WithHeldNeighbourAsync(faulty.Pool("faulty"), async proxy =>
        {
            using var response = await proxy.Client.GetAsync("/fault");
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        });
    }

    [Theory]
    [InlineData("GET", false, 0)]
    [InlineData("GET", true, 0)]
    [InlineData("POST", false, 100)]
    [InlineData("POST", true, 100)]
    public async Task KeepAliveClosedAsTheRequestArrives_IsSentAgainOnANewConnection(string method, bool reset, int bodyLength)
    {
        await using var faulty = ClosingOnSecondRequest(reset);

        await WithHeldNeighbourAsync(faulty.Pool("faulty"), async proxy =>
        {
            for (var i = 0; i < 6; i++)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), "/fault") { Content = Body(bodyLength) };
                using var response = await proxy.Client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("ok", await response.Content.ReadAsStringAsync());
            }

            Assert.Equal(0, proxy.Pool("faulty").Backends[0].Stats.Failures);
        });
    }

    [Fact]
    public async Task KeepAliveClosedAsAStreamedBodyArrives_Answers502_SinceTheBodyCannotBeSentTwice()
    {
        await using var faulty = ClosingOnSecondRequest(reset: false);

        await WithHeldNeighbourAsync(faulty.Pool("faulty"), async proxy =>
        {
            Assert.Equal("ok", await proxy.Client.GetStringAsync("/fault"));
            using var response = await proxy.Client.PostAsync("/fault", Body(100_000));
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        });
    }

    [Theory]
    [InlineData(RetryOn.Status502, "HTTP/1.1 2x0 Broken\r\n\r\n")]
    [InlineData(RetryOn.Status502, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")] // then closes: a short body
    [InlineData(RetryOn.Status504, "")]                                              // never answers
    public async Task FaultOnOneBackend_IsRetriedOnAnother_WhenThePoolAllows(RetryOn on, string answer)
    {
        await using var faulty = RawBackend.Start(async connection =>
        {
            while (await connection.ReadRequestAsync() is not null)
            {
                if (answer.Length == 0) continue; // never answers; the next read returns when the proxy gives up
                await connection.WriteAsync(answer);
                return;
            }
        });
        await using var healthy = RawBackend.KeepAlive(_ => Ok);
        var pool = new PoolConfig
        {
            Name = "faulty",
            RequestTimeout = ShortTimeout,
            Retries = new RetryConfig { Attempts = 2, On = [RetryOn.ConnectFailure, on] },
            Health = new HealthConfig { Passive = new PassiveHealthConfig { ConsecutiveFailures = 0 } },
            Backends = [new BackendConfig { Name = "faulty", Address = faulty.Address }, new BackendConfig { Name = "healthy", Address = healthy.Address }],
        };

        await WithHeldNeighbourAsync(pool, async proxy =>
        {
            for (var i = 0; i < 4; i++)
            {
                using var response = await proxy.Client.GetAsync("/fault");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("ok", await response.Content.ReadAsStringAsync());
            }

            Assert.InRange(proxy.Pool("faulty").Find("faulty")!.Stats.Failures, 1, 4);
        });
    }

    // Answers a connection's first request with exactly these bytes, then closes it: with a FIN, or a reset.
    private static RawBackend AnsweringOnce(string answer, bool reset = false) => RawBackend.Start(async connection =>
    {
        await connection.ReadRequestAsync();
        await connection.WriteAsync(answer);
        if (reset) connection.Reset();
    });

    // Answers the first request of each connection and closes (FIN or reset) when the second arrives, unanswered:
    // every reuse of a kept-alive connection meets a backend that closed it at the moment the request came in.
    private static RawBackend ClosingOnSecondRequest(bool reset) => RawBackend.Start(async connection =>
    {
        if (await connection.ReadRequestAsync() is null) return;
        await connection.WriteAsync(Ok);
        if (await connection.ReadRequestAsync() is null) return;
        if (reset) connection.Reset();
    });

    private static ByteArrayContent? Body(int length) => length == 0 ? null : new ByteArrayContent(new byte[length]);

    // The client sees its connection cut, never a complete answer.
    private static async Task AssertCutAsync(HttpClient client, string path) =>
        await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
        {
            using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            await response.Content.ReadAsByteArrayAsync();
        });

    // Runs `fault` against the pool `faulty` (path /fault) while a request to a healthy pool is held in flight on the
    // same listener; afterwards the held request must come back whole and its backend count no failure.
    private static async Task WithHeldNeighbourAsync(PoolConfig faulty, Func<ProxyHarness, Task> fault)
    {
        await using var healthy = new HeldBackend();
        var config = Of(
            Web(ToPool("faulty", new MatchConfig { PathPrefix = "/fault" }), ToPool("healthy")),
            faulty with { Name = "faulty" },
            healthy.Pool("healthy"));
        await using var proxy = await ProxyHarness.StartAsync(config);
        var neighbour = proxy.CreateClient();
        var held = neighbour.GetByteArrayAsync("/held");
        await Poll.Within(healthy.Arrived);

        await fault(proxy);

        Assert.False(held.IsCompleted, "the neighbour's request was answered before the backend released it");
        healthy.Release();
        Assert.Equal(HeldBackend.Body, await Poll.Within(held));
        Assert.Equal(0, proxy.Pool("healthy").Backends[0].Stats.Failures);
        Assert.Equal(HeldBackend.Body, await neighbour.GetByteArrayAsync("/held-again"));
    }
}
