using System.Net.Http;
using Fulcrum.Core.Model;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// Turns what the forwarder reported into the <see cref="Outcome"/> a lease records. Passive health reads
/// these, so only what the backend did counts against it: a client that went away never does.
/// </summary>
internal static class OutcomeClassifier
{
    public static Outcome Classify(ForwarderError error, HttpContext context)
    {
        if (context.RequestAborted.IsCancellationRequested) return Outcome.ClientAbort;

        return error switch
        {
            ForwarderError.None => context.Response.StatusCode is 502 or 503 or 504 ? Outcome.ServerError : Outcome.Success,
            ForwarderError.Request => FromException(context.Features.Get<IForwarderErrorFeature>()?.Exception),
            ForwarderError.RequestTimedOut => Outcome.Timeout,
            // The client is still here (checked above), so a cancelled copy means the activity timeout fired.
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
                or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled => Outcome.Timeout,
            ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient
                or ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseClient => Outcome.ClientAbort,
            ForwarderError.RequestBodyDestination or ForwarderError.ResponseBodyDestination or ForwarderError.ResponseHeaders
                or ForwarderError.UpgradeRequestDestination or ForwarderError.UpgradeResponseDestination => Outcome.Reset,
            // An upgraded connection (WebSocket) sat idle for the pool's request-timeout and was closed by us: not the backend's fault.
            ForwarderError.UpgradeActivityTimeout => Outcome.Success,
            // We could not even build the request (a malformed client request): not the backend's fault.
            ForwarderError.RequestCreation => Outcome.ClientAbort,
            _ => Outcome.Reset,
        };
    }

    public static bool IsConnectFailure(Exception? exception) => FromException(exception) == Outcome.ConnectFailure;

    private static Outcome FromException(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException hre)
            {
                return hre.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                    ? Outcome.ConnectFailure
                    : Outcome.Reset;
            }

            if (e is OperationCanceledException or TimeoutException) return Outcome.Timeout;
        }

        return Outcome.Reset;
    }
}
