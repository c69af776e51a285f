using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using Fulcrum.Core.Model;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Grpc;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// The backend leg of pools with `backend-protocol: h2c` or `h2`: each request is one HTTP/2 stream through the pool's
/// HTTP/2 <see cref="HttpMessageInvoker"/>, so many requests share a connection, and the balancer's lease is per
/// request: least-connections counts streams, not connections. h2c is prior knowledge over http:// (RFC 9113 section
/// 3.3); h2 goes over https:// with the TLS stream the pool's connector opened (ALPN h2), which the handler uses as it is,
/// so :scheme says https as the backend sees it. Bodies stream both ways at once (gRPC's streaming calls) and the
/// backend's trailers (grpc-status) are passed on. The same three steps as <see cref="Http1Leg"/> (<see cref="IBackendLeg"/>),
/// the same <see cref="LegResult"/>s, so the forwarder's retries, passive health and lease work alike. Its per-request
/// state (<see cref="Http2Attempt"/>: the HttpClient messages, a cancellation source and timers) is made per request,
/// as HttpClient's messages are anyway, and kept in the exchange's <see cref="LegAttempt"/> between the steps.
/// Time: the pool's request-timeout bounds each wait on the backend (the head, each read of the body) as on the
/// HTTP/1.1 leg; a gRPC call's grpc-timeout bounds the whole attempt.
/// </summary>
internal sealed class Http2Leg(HttpMessageInvoker client, bool tls, TimeSpan requestTimeout, TimeProvider time) : IBackendLeg
{
    private const int BufferSize = 16 * 1024;
    private readonly string _scheme = tls ? "https://" : "http://";

    private Http2Attempt Begin(HttpExchange exchange)
    {
        TimeSpan? deadline = null;
        if (exchange.RequestHeaders.TryGetValue(GrpcTimeout.Header, out var header) && GrpcTimeout.TryParse(header.ToString(), out var timeout))
        {
            deadline = timeout;
        }

        return new Http2Attempt(exchange.Aborted, time, requestTimeout, deadline);
    }

    /// <summary>Opens the stream, sends the head and starts the body's send, and waits for the backend's response head.</summary>
    public async ValueTask<LegResult> SendAsync(HttpExchange exchange, Backend backend, LegAttempt leg)
    {
        leg.Clear();
        var attempt = leg.Stream = Begin(exchange);
        attempt.Phase = LegPhase.SendHead;
        try
        {
            var request = attempt.Request = new HttpRequestMessage(HttpMethod.Parse(exchange.Method), Target(exchange, backend))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            if (exchange.RequestHasBody)
            {
                request.Content = attempt.Body = new StreamedRequestContent(exchange.RequestBody, exchange.RequestContentLength, attempt.Token);
            }

            CopyRequestHeaders(exchange, request);
            attempt.Phase = LegPhase.ResponseHead;
            attempt.Arm();
            attempt.Response = await client.SendAsync(request, attempt.Token).ConfigureAwait(false);
            attempt.Disarm();
            var status = (int)attempt.Response.StatusCode;
            return new LegResult(status, OutcomeOf(status), attempt.Body?.Sent ?? 0, 0, Retryable: true);
        }
        catch (Exception e)
        {
            leg.Stream = null; // a failed step ends the attempt
            return await FailAsync(exchange, attempt, e).ConfigureAwait(false);
        }
    }

    /// <summary>Puts the backend's status and end-to-end headers on the exchange's response.</summary>
    public void CopyHead(LegAttempt leg, HttpExchange exchange)
    {
        var attempt = leg.Stream!;
        attempt.Phase = LegPhase.ReadBackendBody;
        var response = attempt.Response!;
        exchange.Status = (int)response.StatusCode;
        var headers = exchange.ResponseHeaders;
        foreach (var (name, values) in response.Headers.NonValidated)
        {
            if (!HeaderNames.IsHopByHop(name)) headers[name] = Values(values);
        }

        foreach (var (name, values) in response.Content.Headers.NonValidated)
        {
            if (name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
            {
                if (long.TryParse(values.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length)) exchange.ResponseContentLength = length;
                continue;
            }

            headers[name] = Values(values);
        }
    }

    /// <summary>Copies the response body as it arrives, then the trailers; ends the attempt.</summary>
    public async ValueTask<LegResult> CopyBodyAsync(LegAttempt leg, HttpExchange exchange)
    {
        var attempt = leg.Stream!;
        leg.Stream = null; // this step ends the attempt, whichever way it goes
        var response = attempt.Response!;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long received = 0;
        try
        {
            var client = exchange.ResponseBody;
            var token = attempt.Token;
            attempt.Arm();
            var source = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            while (true)
            {
                attempt.Phase = LegPhase.ReadBackendBody;
                attempt.Arm();
                var read = await source.ReadAsync(buffer, token).ConfigureAwait(false);
                attempt.Disarm();
                if (read == 0) break;
                attempt.Phase = LegPhase.WriteClientBody;
                // Each write goes out at once (Kestrel flushes a response write): a streamed message is not held back.
                await client.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                received += read;
            }

            CopyTrailers(response, exchange);
            await EndBodySendAsync(attempt).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var sent = attempt.Body?.Sent ?? 0;
            attempt.Dispose();
            return new LegResult(status, OutcomeOf(status), sent, received, Retryable: false);
        }
        catch (Exception e)
        {
            var failed = await FailAsync(exchange, attempt, e).ConfigureAwait(false);
            return failed with { Received = received };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Drops a response that will not be passed on (a retry goes elsewhere, or a response hook threw).</summary>
    public async ValueTask AbandonAsync(LegAttempt leg)
    {
        var attempt = leg.Stream!;
        leg.Stream = null;
        await EndBodySendAsync(attempt).ConfigureAwait(false);
        attempt.Dispose();
    }

    // The backend's trailers (gRPC's grpc-status and grpc-message) go to the client after the body, when its protocol
    // carries trailers; on an HTTP/1.1 answer without chunking they are dropped, as before.
    private static void CopyTrailers(HttpResponseMessage response, HttpExchange exchange)
    {
        var trailers = response.TrailingHeaders.NonValidated;
        if (trailers.Count == 0 || !exchange.CanSendTrailers) return;
        foreach (var (name, values) in trailers) exchange.AppendTrailer(name, Values(values));
    }

    // The backend answered in full: a request body it did not read all of is cut (its stream is cancelled), and its
    // send is waited for, so nothing reads the client's body once the request is over.
    private static async Task EndBodySendAsync(Http2Attempt attempt)
    {
        if (attempt.Body?.Sending is not { } sending) return;
        if (!sending.IsCompleted) attempt.Cancel();
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Cancelled above, or failed on the way: the response already says how the call went.
        }
    }

    private string Target(HttpExchange exchange, Backend backend)
    {
        var host = backend.Host.Contains(':') ? "[" + backend.Host + "]" : backend.Host;
        return string.Concat(_scheme, host, ":", backend.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            exchange.BackendPath.ToUriComponent(), exchange.Query.Value);
    }

    // The request's end-to-end headers as the filters left them. HTTP/2 has no connection-specific fields (RFC 9113
    // section 8.2.2): the hop-by-hop ones are left out, except `te: trailers`, which gRPC servers look for. The client's
    // Host becomes :authority.
    private static void CopyRequestHeaders(HttpExchange exchange, HttpRequestMessage request)
    {
        foreach (var (name, values) in exchange.RequestHeaders)
        {
            if (name.Length == 0 || name[0] == ':') continue;
            if (HeaderNames.IsHopByHop(name))
            {
                if (name.Length == 2 && values.Count == 1 && string.Equals(values[0], "trailers", StringComparison.OrdinalIgnoreCase))
                {
                    request.Headers.TryAddWithoutValidation("te", "trailers");
                }

                continue;
            }

            if (name.Equals(HeaderNames.Host, StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = values.ToString();
                continue;
            }

            if (name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
            {
                if (request.Content is { } withLength) withLength.Headers.ContentLength = exchange.RequestContentLength;
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                // A content header (Content-Type) on a request whose body is empty: a gRPC client that ends its stream
                // with its headers still sends content-type: application/grpc, which the backend needs.
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
    }

    private static StringValues Values(HeaderStringValues values) =>
        values.Count == 1 ? new StringValues(values.ToString()) : new StringValues([.. values]);

    private static Outcome OutcomeOf(int status) => status is 502 or 503 or 504 ? Outcome.ServerError : Outcome.Success;

    // A failed step: what it counts as for the backend, and the status the balancer answers in its place.
    private static async Task<LegResult> FailAsync(HttpExchange exchange, Http2Attempt attempt, Exception failure)
    {
        attempt.Disarm();
        await EndBodySendAsync(attempt).ConfigureAwait(false);
        var sent = attempt.Body?.Sent ?? 0;
        var phase = attempt.Phase;
        var clientGone = exchange.Aborted.IsCancellationRequested;
        var clientBody = attempt.Body?.ClientFailure;
        (Outcome, int) classified;
        if (clientGone) classified = (Outcome.ClientAbort, StatusCodes.Status502BadGateway);
        else if (clientBody is not null)
        {
            // The client's body broke off (its fault): the front end's own verdict (413, 408) when it gave one.
            (phase, failure) = (LegPhase.ReadClientBody, clientBody);
            classified = (Outcome.ClientAbort, clientBody is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest);
        }
        else if (attempt.TimedOut) classified = (Outcome.Timeout, StatusCodes.Status504GatewayTimeout);
        else if (phase == LegPhase.WriteClientBody) classified = (Outcome.ClientAbort, StatusCodes.Status502BadGateway);
        else if (phase <= LegPhase.ResponseHead && Http1Leg.IsConnectFailure(failure)) classified = (Outcome.ConnectFailure, StatusCodes.Status502BadGateway);
        else classified = (Outcome.Reset, StatusCodes.Status502BadGateway);

        if (attempt.TimedOut && failure is OperationCanceledException)
        {
            failure = new TimeoutException(attempt.DeadlineExceeded
                ? "the call's grpc-timeout expired"
                : "the backend did not answer within the pool's request-timeout", failure);
        }

        attempt.Dispose();
        var (outcome, status) = classified;
        // Another backend may take the request only when nothing of it reached the client or the backend's stream
        // carried a body (the forwarder also retries only requests without one).
        return new LegResult(status, outcome, sent, 0, Retryable: !clientGone && !exchange.ResponseStarted && phase <= LegPhase.ResponseHead,
            failure, phase);
    }
}
