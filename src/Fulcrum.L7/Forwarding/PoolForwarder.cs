using System.Collections.Frozen;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Health;
using Fulcrum.Core.Affinity;
using Fulcrum.Core.Model;
using Fulcrum.L7.Affinity;
using Fulcrum.L7.BackendHttp;
using Fulcrum.L7.Answers;
using Fulcrum.L7.Diagnostics;
using Fulcrum.L7.Observability;
using Fulcrum.Core.Observability;
using Fulcrum.L7.Transforms;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// Sends requests to one pool of one topology generation: hash key, lease, forward, release.
/// The lease is held until the forwarder returns, which for an upgraded connection (WebSocket) is when
/// it closes, so least-connections sees a WebSocket as active work for its whole life.
/// </summary>
internal sealed class PoolForwarder
{
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _client;
    private readonly ForwarderRequestConfig _requestConfig;
    private readonly FrozenDictionary<Backend, string> _prefixes;
    private readonly bool _countBodies;
    private readonly byte[] _noBackend;
    private readonly byte[] _badGateway;
    private readonly byte[] _gatewayTimeout;
    private readonly ILogger _logger;
    private readonly bool _retriesOnStatus;
    private readonly long _generation;
    private readonly PoolDirectory _directory;
    private readonly PoolConnections _connections;
    private readonly FrozenDictionary<Backend, BackendConnectionPool> _backendConnections;
    private readonly Http1Forwarder? _lean;

    /// <summary>
    /// FULCRUM_BACKEND_LEG=yarp sends every request through YARP's forwarder, as before the lean leg existed:
    /// a switch for comparing the two (bench/) and a way back should the lean leg misbehave with some backend.
    /// </summary>
    private static readonly bool LeanLegEnabled =
        !string.Equals(Environment.GetEnvironmentVariable("FULCRUM_BACKEND_LEG"), "yarp", StringComparison.OrdinalIgnoreCase);

    public PoolForwarder(Pool pool, long generation, PoolDirectory directory, IHttpForwarder forwarder, PoolClients clients, ILogger logger)
    {
        Pool = pool;
        _generation = generation;
        _directory = directory;
        _forwarder = forwarder;
        _client = clients.Client;
        _connections = clients.Connections;
        var connections = new Dictionary<Backend, BackendConnectionPool>(pool.Backends.Length, ReferenceEqualityComparer.Instance);
        foreach (var backend in pool.Backends) connections[backend] = _connections.For(backend);
        _backendConnections = connections.ToFrozenDictionary(ReferenceEqualityComparer.Instance);
        _lean = LeanLegEnabled ? new Http1Forwarder(pool.Config.RequestTimeout) : null;
        _logger = logger;
        // ActivityTimeout bounds each wait on the backend: for the response headers, and between body reads.
        _requestConfig = new ForwarderRequestConfig { ActivityTimeout = pool.Config.RequestTimeout };
        var prefixes = new Dictionary<Backend, string>(pool.Backends.Length, ReferenceEqualityComparer.Instance);
        foreach (var backend in pool.Backends) prefixes[backend] = "http://" + backend.Address;
        _prefixes = prefixes.ToFrozenDictionary(ReferenceEqualityComparer.Instance);
        _countBodies = string.Equals(pool.Config.Algorithm, "least-bandwidth", StringComparison.Ordinal);
        _noBackend = PlainTextAnswer.NoBackend(pool.Name);
        _badGateway = PlainTextAnswer.BadGateway(pool.Name);
        _gatewayTimeout = PlainTextAnswer.GatewayTimeout(pool.Name);
        _retriesOnStatus = pool.Config.Retries.On.Any(static o => o != RetryOn.ConnectFailure);
    }

    public Pool Pool { get; }

    public async Task ForwardAsync(HttpContext context, RouteTransformer transformer)
    {
        // Affinity first: it overrides the balancer only with a backend that may take this request.
        var affinity = Pool.Affinity;
        var sticky = AffinityDecision.NoKey;
        Backend? stickyBackend = null;
        if (affinity is not null)
        {
            sticky = StickyRequests.Resolve(affinity, context, out stickyBackend);
            if (sticky == AffinityDecision.Unavailable)
            {
                AffinityLog.StickyBackendUnavailable(_logger, Pool.Name);
                transformer.EditResponse(context.Response);
                await PlainTextAnswer.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, _noBackend);
                return;
            }
        }

        var pick = Pool.UsesHash ? HashKeys.Read(Pool.Config.HashKey, context) : default;
        Lease lease;
        if (stickyBackend is not null)
        {
            lease = stickyBackend.Acquire(Pool.Services.Time);
        }
        else if (!Pool.TryAcquire(pick, out lease))
        {
            if (_directory.Newer(Pool.Name, _generation) is { } newer)
            {
                await newer.ForwardAsync(context, transformer); // this request read the routes just before a reload
                return;
            }

            Log.NoBackend(_logger, Pool.Name);
            transformer.EditResponse(context.Response);
            await PlainTextAnswer.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, _noBackend);
            return;
        }

        if (ProxyRequest.Of(context) is { } record)
        {
            record.BackendChosen = System.Diagnostics.Stopwatch.GetTimestamp();
            record.Pool = Pool.Name;
            record.AffinityHit = stickyBackend is not null;
        }

        // Retries (docs/health.md): only requests without a body, since a body cannot be sent twice. The retry
        // state is allocated only when a retry may be needed: up front when the pool retries on 502/503/504 (the
        // transformer must see it), else after a first attempt failed.
        var canRetry = Pool.Config.Retries.Attempts > 1 && !HasBody(context.Request);
        var idempotent = RetryBudget.IsIdempotent(context.Request.Method);
        var statusRetry = canRetry && _retriesOnStatus && idempotent;
        var retry = statusRetry ? new RetryAttempt(Pool, pick) : null;
        try
        {
            while (true)
            {
                retry?.Begin(lease.Backend);
                // Cookie affinity: pin the client to the backend of this attempt (a retry clears the response).
                if (affinity is not null) StickyRequests.Pin(affinity, sticky, context, lease.Backend);
                if (statusRetry) context.Features.Set(retry);
                var (error, outcome) = await ForwardOnceAsync(context, transformer, lease);
                if (statusRetry) context.Features.Set<RetryAttempt>(null);
                if (canRetry && !context.Response.HasStarted && outcome != Outcome.ClientAbort
                    && (retry?.InterceptedStatus is > 0 || error != ForwarderError.None))
                {
                    if (retry is null)
                    {
                        retry = new RetryAttempt(Pool, pick);
                        retry.Begin(lease.Backend);
                    }

                    if (retry.InterceptedStatus != 0 || retry.TryRetryAfter(outcome, context.Response.StatusCode, idempotent))
                    {
                        // Nothing reached the client: forget the failed attempt's answer and go to another backend.
                        Log.ForwardFailed(_logger, lease.Backend.Id, Pool.Name, error, context.Features.Get<IForwarderErrorFeature>()?.Exception);
                        context.Features.Set<IForwarderErrorFeature>(null);
                        context.Response.Clear();
                        lease = retry.AcquireNext();
                        sticky = AffinityDecision.Rebalance;
                        continue;
                    }
                }

                if (error != ForwarderError.None)
                {
                    await AnswerErrorAsync(context, error, lease.Backend, outcome);
                }

                return;
            }
        }
        finally
        {
            retry?.End();
        }
    }

    // One attempt on the leased backend; always releases the lease with what the backend did.
    private async Task<(ForwarderError Error, Outcome Outcome)> ForwardOnceAsync(HttpContext context, RouteTransformer transformer, Lease lease)
    {
        // Anything unexpected below is our bug, not the backend's: it must not count against it.
        var outcome = Outcome.ClientAbort;
        var error = ForwarderError.None;
        var lean = false;
        LegResult leg = default;
        CountingStream? requestBody = null, responseBody = null;
        try
        {
            if (_lean is not null && Http1Forwarder.Handles(context))
            {
                // The lean leg counts the body bytes itself: no counting streams, for least-bandwidth or the access log.
                lean = true;
                leg = await _lean.SendAsync(context, ConnectionsOf(lease.Backend), transformer);
                error = leg.Error;
            }
            else
            {
                if (_countBodies)
                {
                    requestBody = new CountingStream(context.Request.Body);
                    context.Request.Body = requestBody;
                    responseBody = new CountingStream(context.Response.Body);
                    context.Response.Body = responseBody;
                }
                else if (context.Request.ContentLength is null && HasBody(context.Request))
                {
                    // A body of unknown length (chunked): count it for the access log and the listener's bytes. The
                    // response's counter is set by the transformer, once it knows the response has no Content-Length.
                    requestBody = new CountingStream(context.Request.Body);
                    context.Request.Body = requestBody;
                }

                error = await _forwarder.SendAsync(context, _prefixes[lease.Backend], _client, _requestConfig, transformer);
            }

            outcome = context.Features.Get<RetryAttempt>() is { InterceptedStatus: not 0 }
                ? Outcome.ServerError
                : OutcomeClassifier.Classify(error, context);
        }
        finally
        {
            // Real counts where a body was counted (the lean leg always; on YARP's, least-bandwidth pools or bodies
            // of unknown length), else the declared lengths, which cost nothing.
            long sent = context.Request.ContentLength ?? 0, received = context.Response.ContentLength ?? 0;
            var countedIn = -1L;
            var countedOut = -1L;
            if (lean)
            {
                sent = countedIn = leg.Sent;
                received = countedOut = leg.Received;
            }

            if (requestBody is not null)
            {
                context.Request.Body = requestBody.Inner;
                sent = countedIn = requestBody.Count;
            }

            if (!lean) responseBody ??= context.Response.Body as CountingStream;
            if (responseBody is not null)
            {
                context.Response.Body = responseBody.Inner;
                received = countedOut = responseBody.Count;
            }

            // Status classes for the metrics, counted per attempt like the lease, before its release.
            if (error == ForwarderError.None)
            {
                var intercepted = context.Features.Get<RetryAttempt>()?.InterceptedStatus ?? 0;
                lease.Backend.Stats.RecordStatus(intercepted != 0 ? intercepted : context.Response.StatusCode);
            }

            if (ProxyRequest.Of(context) is { } record)
            {
                record.Backend = lease.Backend.Id;
                record.Outcome = OutcomeNames.Of(outcome);
                if (countedIn >= 0) record.BytesIn = countedIn;
                if (countedOut >= 0) record.BytesOut = countedOut;
            }

            lease.Release(outcome, sent, received);
        }

        return (error, outcome);
    }

    // A backend of this generation, or one reached by affinity that the generation does not list (it is leaving).
    private BackendConnectionPool ConnectionsOf(Backend backend) =>
        _backendConnections.TryGetValue(backend, out var connections) ? connections : _connections.For(backend);

    private static bool HasBody(HttpRequest request) =>
        request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? request.ContentLength > 0;

    private Task AnswerErrorAsync(HttpContext context, ForwarderError error, Backend backend, Outcome outcome)
    {
        if (outcome == Outcome.ClientAbort)
        {
            return Task.CompletedTask;
        }

        Log.ForwardFailed(_logger, backend.Id, Pool.Name, error, context.Features.Get<IForwarderErrorFeature>()?.Exception);
        var response = context.Response;
        if (response.HasStarted)
        {
            return Task.CompletedTask;
        }

        // The forwarder chose the status (502, or 504 on a timeout); we add a body that says which pool.
        var body = response.StatusCode == StatusCodes.Status504GatewayTimeout ? _gatewayTimeout : _badGateway;
        return PlainTextAnswer.WriteAsync(context, response.StatusCode, body);
    }
}
