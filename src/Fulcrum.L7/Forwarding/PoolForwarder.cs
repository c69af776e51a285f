using System.Collections.Frozen;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Fulcrum.Core.Affinity;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Health;
using Fulcrum.Core.Model;
using Fulcrum.Core.Observability;
using Fulcrum.Core.Protection;
using Fulcrum.L7.Affinity;
using Fulcrum.L7.Answers;
using Fulcrum.L7.BackendHttp;
using Fulcrum.L7.Diagnostics;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;
using Fulcrum.L7.Grpc;
using Fulcrum.L7.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// Sends requests to one pool of one topology generation: affinity, hash key, lease, the attempts on the backend leg
/// with the retry decisions between them, release, and the balancer's own answer when no attempt succeeded.
/// The lease is held until the leg returns, which for an upgraded connection (WebSocket) is when it closes, so
/// least-connections sees a WebSocket as active work for its whole life.
/// </summary>
internal sealed class PoolForwarder : IBackendTarget
{
    private readonly IBackendLeg _leg;
    // Upgrades from Fulcrum's own front end: HTTP/1.1 to the backend, whatever the pool's backend-protocol.
    private readonly Http1Leg _upgradeLeg;
    private readonly UpgradeLeg _upgrades;
    private readonly HttpMessageInvoker _client;
    private readonly ForwarderRequestConfig _upgradeConfig;
    private readonly FrozenDictionary<Backend, string> _prefixes;
    private readonly byte[] _noBackend;
    private readonly byte[] _badGateway;
    private readonly byte[] _gatewayTimeout;
    private readonly ILogger _logger;
    private readonly bool _retriesOnStatus;
    private readonly long _generation;
    private readonly PoolDirectory _directory;

    public PoolForwarder(Pool pool, long generation, PoolDirectory directory, UpgradeLeg upgrades, PoolClients clients, ILogger logger)
    {
        Pool = pool;
        _generation = generation;
        _directory = directory;
        _upgrades = upgrades;
        _client = clients.Client;
        // backend-protocol h2c or h2: ordinary requests take the HTTP/2 leg (docs/grpc.md); upgrades stay on YARP's.
        _leg = clients.Http2 is { } http2
            ? new Http2Leg(http2, pool.Config.Tls is not null, pool.Config.RequestTimeout, pool.Services.Time)
            : new Http1Leg(pool.Config.RequestTimeout, clients.Connections, pool.Backends);
        _upgradeLeg = _leg as Http1Leg ?? new Http1Leg(pool.Config.RequestTimeout, clients.Connections, pool.Backends);
        _logger = logger;
        // ActivityTimeout bounds each wait on the backend: for the response headers, and an upgraded connection's idle time.
        _upgradeConfig = new ForwarderRequestConfig { ActivityTimeout = pool.Config.RequestTimeout };
        var prefixes = new Dictionary<Backend, string>(pool.Backends.Length, ReferenceEqualityComparer.Instance);
        foreach (var backend in pool.Backends) prefixes[backend] = "http://" + backend.Address;
        _prefixes = prefixes.ToFrozenDictionary(ReferenceEqualityComparer.Instance);
        _noBackend = PlainTextAnswer.NoBackend(pool.Name);
        _badGateway = PlainTextAnswer.BadGateway(pool.Name);
        _gatewayTimeout = PlainTextAnswer.GatewayTimeout(pool.Name);
        _retriesOnStatus = pool.Config.Retries.On.Any(static o => o != RetryOn.ConnectFailure);
    }

    public Pool Pool { get; }

    // The front end wants a Task; the work is a pooled ValueTask, whose box (this method's whole state) is reused
    // request after request, so a request that waits on its backend allocates only the small Task that wraps it.
    public Task ForwardAsync(HttpExchange exchange, FilterChain chain)
    {
        var forwarding = ForwardAsync(exchange, chain, null);
        return forwarding.IsCompletedSuccessfully ? Task.CompletedTask : forwarding.AsTask();
    }

    /// <summary>As <see cref="ForwardAsync(HttpExchange, FilterChain)"/>, from a route's <see cref="PoolGate"/>, whose counters count a retry the breaker withholds.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ForwardAsync(HttpExchange exchange, FilterChain chain, GateCounters? gate)
    {
        // Affinity first: it overrides the balancer only with a backend that may take this request.
        var affinity = Pool.Affinity;
        var sticky = AffinityDecision.NoKey;
        Backend? stickyBackend = null;
        if (affinity is not null)
        {
            sticky = StickyRequests.Resolve(affinity, exchange, out stickyBackend);
            if (sticky == AffinityDecision.Unavailable)
            {
                AffinityLog.StickyBackendUnavailable(_logger, Pool.Name);
                PlainTextAnswer.Set(exchange, 503, _noBackend);
                await chain.WriteAnswerAsync(exchange, chain.Count);
                return;
            }
        }

        var pick = Pool.UsesHash ? HashKeys.Read(Pool.Config.HashKey, exchange) : default;
        Lease lease;
        if (stickyBackend is not null)
        {
            lease = stickyBackend.Acquire(Pool.Services.Time);
        }
        else if (!Pool.TryAcquire(pick, out lease))
        {
            if (_directory.Newer(Pool.Name, _generation) is { } newer)
            {
                await newer.ForwardAsync(exchange, chain, gate); // this request read the routes just before a reload
                return;
            }

            Log.NoBackend(_logger, Pool.Name);
            PlainTextAnswer.Set(exchange, 503, _noBackend);
            await chain.WriteAnswerAsync(exchange, chain.Count);
            return;
        }

        var record = exchange.Record;
        record.BackendChosen = Stopwatch.GetTimestamp();
        record.Pool = Pool.Name;
        record.AffinityHit = stickyBackend is not null;

        // Retries (docs/health.md): only requests without a body, since a body cannot be sent twice.
        var canRetry = Pool.Config.Retries.Attempts > 1 && !exchange.RequestHasBody;
        var idempotent = RetryBudget.IsIdempotent(exchange.Method);
        var upgrade = exchange.IsUpgradeOrConnect;
        RetryAttempt? retry = null;
        try
        {
            while (true)
            {
                var backend = lease.Backend;
                exchange.Backend = backend;
                exchange.AffinityCookie = affinity is null ? null : StickyRequests.CookieFor(affinity, sticky, exchange, backend);
                LegResult result;
                // The access log's upstream_* timings are the last attempt's; only the HTTP/1.1 leg times a connect.
                record.UpstreamStarted = Stopwatch.GetTimestamp();
                record.UpstreamConnectMs = -1;
                if (upgrade && exchange is KestrelExchange kestrel)
                {
                    result = await _upgrades.ForwardAsync(kestrel, chain, _prefixes.GetValueOrDefault(backend) ?? "http://" + backend.Address, _client, _upgradeConfig);
                }
                else
                {
                    var attempt = exchange.LegAttempt;
                    var leg = upgrade ? _upgradeLeg : _leg;
                    result = upgrade ? await _upgradeLeg.SendUpgradeAsync(exchange, backend, attempt) : await _leg.SendAsync(exchange, backend, attempt);
                    if (!result.Failed)
                    {
                        record.FirstByte = Stopwatch.GetTimestamp();
                        // A 502/503/504 the pool retries elsewhere is dropped before a byte of it reaches the client
                        // (an upgrade's is passed on, as YARP's forwarder does on Kestrel's front end).
                        if (!upgrade && result.Outcome == Outcome.ServerError && canRetry && idempotent && _retriesOnStatus
                            && (retry ??= new RetryAttempt(Pool, pick, backend)).TryPrepare(result.Outcome, result.Status, idempotent))
                        {
                            await _leg.AbandonAsync(attempt);
                            Finish(exchange, lease, result, counted: true);
                            lease = retry.AcquireNext();
                            sticky = AffinityDecision.Rebalance;
                            continue;
                        }

                        if (retry?.TakeWithheld() == true) CountWithheldRetry(exchange, gate);

                        try
                        {
                            leg.CopyHead(attempt, exchange);
                            chain.RunResponse(exchange, chain.Count);
                        }
                        catch (Exception)
                        {
                            // A response hook threw (or the front end refused a header): the backend did its part, but
                            // without this its lease and its connection would stay taken for good. The front end
                            // answers 500 (nothing was sent) and logs the exception.
                            await leg.AbandonAsync(attempt);
                            Finish(exchange, lease, result, counted: true);
                            throw;
                        }

                        result = upgrade && result.Status == 101 ? await _upgradeLeg.RelayAsync(attempt, exchange) : await leg.CopyBodyAsync(attempt, exchange);
                    }
                }

                // YARP's relay does not tell its bytes; the own one does.
                Finish(exchange, lease, result, counted: !upgrade || exchange is not KestrelExchange);
                if (!result.Failed)
                {
                    if (!upgrade && chain.HasResponseEnd) await chain.RunResponseEndAsync(exchange, chain.Count);
                    return;
                }

                if (canRetry && result.Retryable && (retry ??= new RetryAttempt(Pool, pick, backend)).TryPrepare(result.Outcome, result.Status, idempotent))
                {
                    // Nothing reached the client: forget the failed attempt's answer and go to another backend.
                    Log.ForwardFailed(_logger, backend.Id, Pool.Name, result.FailedAt, result.Outcome, result.Failure);
                    exchange.ClearResponse();
                    lease = retry.AcquireNext();
                    sticky = AffinityDecision.Rebalance;
                    continue;
                }

                if (retry?.TakeWithheld() == true) CountWithheldRetry(exchange, gate);
                await AnswerFailureAsync(exchange, chain, result, backend);
                return;
            }
        }
        finally
        {
            retry?.End();
        }
    }

    // The breaker's max-retries kept this request from another attempt: its answer stands, and the log says why.
    private static void CountWithheldRetry(HttpExchange exchange, GateCounters? gate)
    {
        var counter = gate?.Refused(AdmissionDecision.MaxRetries);
        counter?.Increment();
        exchange.Record.Protection = counter?.LogText ?? "breaker:max-retries";
    }

    // Ends one attempt: the backend's counters, the access log's record, the lease with what the backend did.
    // An upgrade's bytes are not counted (YARP copies them): the access log falls back to the declared lengths.
    private static void Finish(HttpExchange exchange, Lease lease, in LegResult result, bool counted)
    {
        var backend = lease.Backend;
        if (!result.Failed) backend.Stats.RecordStatus(result.Status);
        var record = exchange.Record;
        record.Backend = backend.Id;
        record.Outcome = OutcomeNames.Of(result.Outcome);
        record.UpstreamEnded = Stopwatch.GetTimestamp();
        if (counted)
        {
            record.BytesIn = result.Sent;
            record.BytesOut = result.Received;
        }

        lease.Release(result.Outcome, result.Sent, result.Received);
    }

    private string MidStreamMessage(in LegResult result) => result.Status == 504
        ? $"the backend of pool '{Pool.Name}' did not answer in time"
        : $"the backend of pool '{Pool.Name}' failed in the middle of the call";

    private Task AnswerFailureAsync(HttpExchange exchange, FilterChain chain, in LegResult result, Backend backend)
    {
        if (exchange.ResponseStarted)
        {
            if (result.Outcome == Outcome.ClientAbort) return Task.CompletedTask;
            Log.ForwardFailed(_logger, backend.Id, Pool.Name, result.FailedAt, result.Outcome, result.Failure);
            // A gRPC call whose messages started to flow can still end with a status: 4 when a deadline cut it, else 14
            // UNAVAILABLE, as a gRPC client reports a lost connection to its server (the call may be retried; whether
            // that is safe is the caller's to decide). Otherwise part of the backend's answer reached the client and the
            // only honest signal left is to cut the connection.
            var code = result.Status == 504 ? GrpcStatus.DeadlineExceeded : GrpcStatus.Unavailable;
            if (GrpcAnswer.IsGrpc(exchange) && GrpcAnswer.TryEndWith(exchange, code, MidStreamMessage(result))) return Task.CompletedTask;
            exchange.Abort();
            return Task.CompletedTask;
        }

        if (result.Outcome == Outcome.ClientAbort)
        {
            exchange.Status = result.Status; // nobody reads it but the access log
            return Task.CompletedTask;
        }

        Log.ForwardFailed(_logger, backend.Id, Pool.Name, result.FailedAt, result.Outcome, result.Failure);
        var body = result.Status switch
        {
            504 => _gatewayTimeout,
            502 => _badGateway,
            413 => PlainTextAnswer.BodyTooLarge,
            _ => PlainTextAnswer.BadRequestBody,
        };
        PlainTextAnswer.Set(exchange, result.Status, body);
        return chain.WriteAnswerAsync(exchange, chain.Count);
    }
}
