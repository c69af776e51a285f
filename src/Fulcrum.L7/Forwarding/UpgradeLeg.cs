using Fulcrum.Core.Model;
using Fulcrum.L7.BackendHttp;
using Fulcrum.L7.Filters;
using Fulcrum.L7.Hosting;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// The one place YARP's forwarder still runs: requests that switch protocols (HTTP/1.1 Upgrade such as WebSocket,
/// HTTP/2 extended CONNECT) and CONNECT, whose two-way copy and idle timeout YARP does well. Such requests exist only
/// on Kestrel's front end, so this leg takes its <see cref="KestrelExchange"/>. It sends the headers the route's
/// filters left on the request, and runs the chain's response hooks on the backend's answer before YARP sends it.
/// A 5xx answer to an upgrade is passed on, not retried; a failure to connect may be retried by the forwarder.
/// </summary>
internal sealed class UpgradeLeg(IHttpForwarder forwarder)
{
    public async Task<LegResult> ForwardAsync(KestrelExchange exchange, FilterChain chain, string destinationPrefix,
        HttpMessageInvoker client, ForwarderRequestConfig config)
    {
        var context = exchange.Http;
        var error = await forwarder.SendAsync(context, destinationPrefix, client, config, new Transformer(exchange, chain));
        var status = context.Response.StatusCode;
        if (error == ForwarderError.None)
        {
            return new LegResult(status, status is 502 or 503 or 504 ? Outcome.ServerError : Outcome.Success, 0, 0, Retryable: false);
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        var outcome = OutcomeOf(error, exception, exchange.Aborted.IsCancellationRequested);
        var phase = error is ForwarderError.Request or ForwarderError.RequestTimedOut ? LegPhase.Connect : LegPhase.ReadBackendBody;
        return new LegResult(status, outcome, 0, 0, Retryable: outcome != Outcome.ClientAbort && !context.Response.HasStarted,
            exception ?? new HttpRequestException(error.ToString()), phase);
    }

    // What YARP's error means for the backend; only what the backend did counts against it.
    private static Outcome OutcomeOf(ForwarderError error, Exception? exception, bool clientGone)
    {
        if (clientGone) return Outcome.ClientAbort;
        return error switch
        {
            ForwarderError.Request => Http1Leg.IsConnectFailure(exception) ? Outcome.ConnectFailure
                : exception is OperationCanceledException or TimeoutException ? Outcome.Timeout : Outcome.Reset,
            ForwarderError.RequestTimedOut or ForwarderError.RequestCanceled
                or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled => Outcome.Timeout,
            ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseClient
                or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient => Outcome.ClientAbort,
            // An upgraded connection that sat idle for the pool's request-timeout was closed by us: not the backend's fault.
            ForwarderError.UpgradeActivityTimeout => Outcome.Success,
            // We could not even build the request (a malformed client request): not the backend's fault.
            ForwarderError.RequestCreation => Outcome.ClientAbort,
            _ => Outcome.Reset,
        };
    }

    // Per upgrade request (they are few and long): copies the headers as the filters left them, the rewritten path, and
    // runs the response hooks once the backend's head is on the response.
    private sealed class Transformer(KestrelExchange exchange, FilterChain chain) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, exchange.BackendPath, exchange.Query);
            // Keep the client's Host, as the backend leg does (YARP's default sends the backend's own).
            if (exchange.Host.HasValue) proxyRequest.Headers.Host = exchange.Host.Value;
        }

        public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
        {
            var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
            if (proxyResponse is not null)
            {
                exchange.Record.FirstByte = System.Diagnostics.Stopwatch.GetTimestamp();
                chain.RunResponse(exchange, chain.Count);
            }

            return copyBody;
        }
    }
}
