using System.Collections.Frozen;
using Fulcrum.Core.Model;
using Fulcrum.L7.Answers;
using Fulcrum.L7.Diagnostics;
using Fulcrum.L7.Transforms;
using Microsoft.AspNetCore.Http;
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

    public PoolForwarder(Pool pool, IHttpForwarder forwarder, HttpMessageInvoker client, ILogger logger)
    {
        Pool = pool;
        _forwarder = forwarder;
        _client = client;
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
    }

    public Pool Pool { get; }

    public async Task ForwardAsync(HttpContext context, RouteTransformer transformer)
    {
        var pick = Pool.UsesHash ? HashKeys.Read(Pool.Config.HashKey, context) : default;
        if (!Pool.TryAcquire(pick, out var lease))
        {
            Log.NoBackend(_logger, Pool.Name);
            transformer.EditResponse(context.Response);
            await PlainTextAnswer.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, _noBackend);
            return;
        }

        // Anything unexpected below is our bug, not the backend's: it must not count against it.
        var outcome = Outcome.ClientAbort;
        CountingStream? requestBody = null, responseBody = null;
        try
        {
            if (_countBodies)
            {
                requestBody = new CountingStream(context.Request.Body);
                context.Request.Body = requestBody;
                responseBody = new CountingStream(context.Response.Body);
                context.Response.Body = responseBody;
            }

            var error = await _forwarder.SendAsync(context, _prefixes[lease.Backend], _client, _requestConfig, transformer);
            outcome = OutcomeClassifier.Classify(error, context);
            if (error != ForwarderError.None)
            {
                await AnswerErrorAsync(context, error, lease.Backend, outcome);
            }
        }
        finally
        {
            long sent, received;
            if (requestBody is not null && responseBody is not null)
            {
                context.Request.Body = requestBody.Inner;
                context.Response.Body = responseBody.Inner;
                sent = requestBody.Count;
                received = responseBody.Count;
            }
            else
            {
                sent = context.Request.ContentLength ?? 0;
                received = context.Response.ContentLength ?? 0;
            }

            lease.Release(outcome, sent, received);
        }
    }

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
