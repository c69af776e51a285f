using System.Runtime.CompilerServices;
using Fulcrum.L7.Transforms;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// The lean backend leg: forwards one ordinary request over an HTTP/1.1 keep-alive connection of our own
/// (<see cref="BackendConnectionPool"/>), in place of YARP's IHttpForwarder and SocketsHttpHandler, which cost
/// about twice what the whole request costs nginx (docs/performance.md). Requests this leg does not take
/// (<see cref="Handles"/> false: upgrades such as WebSocket, CONNECT) stay on YARP's forwarder.
/// Reports failures as the same <see cref="ForwarderError"/> values YARP does, with <see cref="IForwarderErrorFeature"/>
/// set and the same status on the response (502, 504 for a timeout), so outcome classification, passive health,
/// retries and the error answers do not know which leg ran.
/// </summary>
internal sealed class Http1Forwarder(TimeSpan requestTimeout)
{
    // Runs when the client goes away, on whichever thread Kestrel noticed it. The cancellation itself (which runs the
    // socket's callbacks and our continuation) goes to the thread pool, not inside Kestrel's abort path.
    private static readonly Action<object?> CancelConnection = static state =>
        ThreadPool.UnsafeQueueUserWorkItem(static c => c.Cancel(), (BackendConnection)state!, preferLocal: false);

    /// <summary>True for a request this leg forwards; false for those left to YARP's forwarder.</summary>
    public static bool Handles(HttpContext context)
    {
        var features = context.Features;
        if (features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }) return false;
        if (features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true }) return false;
        return !HttpMethods.IsConnect(context.Request.Method);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<LegResult> SendAsync(HttpContext context, BackendConnectionPool backend, RouteTransformer transformer)
    {
        var request = context.Request;
        var aborted = context.RequestAborted;
        var canHaveBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? request.ContentLength > 0;
        var length = request.ContentLength ?? -1;
        var chunked = canHaveBody && length < 0;
        var streamed = canHaveBody && length > RequestBody.InlineLimit;
        var phase = LegPhase.SendHead;
        var head = RequestHead.Rent(4096);
        BackendConnection? connection = null;
        Task? bodySend = null;
        var registration = default(CancellationTokenRegistration);
        long sent = 0;
        try
        {
            var headers = OutgoingHeaders.Rent();
            try
            {
                headers.CopyFrom(request.Headers);
                transformer.EditRequest(context, headers);
                head.WriteHead(request.Method, transformer.BackendPath(request).ToUriComponent(), request.QueryString.Value, headers, chunked, backend.Authority);
            }
            finally
            {
                OutgoingHeaders.Return(headers);
            }

            if (canHaveBody && length > 0 && !streamed)
            {
                phase = LegPhase.ReadClientBody;
                await RequestBody.ReadExactlyAsync(request, head.Reserve((int)length), aborted);
                head.Length += (int)length;
                sent = length;
            }

            ResponseHead response;
            int headStart;
            for (var attempt = 0; ; attempt++)
            {
                phase = LegPhase.Connect;
                connection = attempt == 0 ? backend.TakeIdle() : null;
                connection ??= await backend.ConnectAsync(aborted);
                connection.RentBuffer();
                connection.Received = 0;
                connection.Sent = 0;
                connection.RequestTimeout = requestTimeout;
                connection.Phase = LegPhase.SendHead;
                registration = aborted.UnsafeRegister(CancelConnection, connection);
                try
                {
                    connection.Arm(requestTimeout);
                    await connection.Stream.WriteAsync(head.Buffer.AsMemory(0, head.Length), connection.Token);
                    if (streamed || chunked) bodySend = RequestBody.SendStreamedAsync(request, connection, chunked);
                    connection.Phase = LegPhase.ResponseHead;
                    (response, headStart) = await ReadHeadAsync(connection);
                    break;
                }
                catch (Exception e) when (attempt == 0 && connection.Reused && !streamed && !chunked && IsStale(connection, e, aborted))
                {
                    // The backend closed this idle connection as we reused it (its keep-alive timeout): nothing of the
                    // request was processed, so send it again once on a new connection, as HttpClient does.
                    registration.Unregister();
                    connection.DisposeLater();
                    connection = null;
                }
            }

            if (transformer.InterceptResponse(context, response.Status))
            {
                // Dropped for a retry on another backend; its body is not read, so the connection is not reused.
                Release(ref connection, ref registration, backend, reusable: false);
                return new LegResult(ForwarderError.None, sent, 0);
            }

            var answer = context.Response;
            connection!.Phase = LegPhase.ReadBackendBody; // from here a failure means the backend's answer is cut short
            answer.StatusCode = response.Status;
            response.CopyTo(connection.Buffer.AsSpan(headStart, response.End), answer, connection);
            transformer.FinishResponse(context, answered: true);
            connection.Start = headStart + response.End;

            var reusable = !response.Http10 && !response.ConnectionClose;
            if (response.HasNoBody(HttpMethods.IsHead(request.Method))) reusable &= connection.Buffered == 0;
            else if (response.Chunked) reusable &= await ResponseBody.CopyChunkedAsync(connection, answer);
            else if (response.OtherCoding || response.ContentLength < 0)
            {
                await ResponseBody.CopyToEndAsync(connection, answer);
                reusable = false;
            }
            else reusable &= await ResponseBody.CopyLengthAsync(connection, answer, response.ContentLength);

            if (bodySend is not null)
            {
                // The backend answered in full: a body it did not read all of is abandoned with the connection.
                if (!bodySend.IsCompleted)
                {
                    reusable = false;
                    connection.DisposeLater(); // fails the send; its await below then returns
                }

                try
                {
                    await bodySend;
                }
                catch (Exception) when (!reusable || bodySend.IsFaulted)
                {
                    reusable = false;
                }

                sent = connection.Sent;
            }

            var received = connection.Received;
            Release(ref connection, ref registration, backend, reusable);
            return new LegResult(ForwarderError.None, sent, received);
        }
        catch (Exception e)
        {
            var at = connection?.Phase ?? phase;
            var received = connection?.Received ?? 0;
            var failure = e;
            registration.Unregister();
            connection?.DisposeLater();
            if (bodySend is not null)
            {
                // A failed body send is the cause of whatever the response side saw next.
                try
                {
                    await bodySend;
                }
                catch (Exception sendFailure) when (connection!.SendPhase is LegPhase.ReadClientBody or LegPhase.WriteBackendBody && at < LegPhase.ReadBackendBody)
                {
                    (at, failure) = (connection.SendPhase, sendFailure);
                }
                catch (Exception)
                {
                }

                sent = connection!.Sent;
            }

            Fail(context, transformer, at, failure);
            return new LegResult(ErrorOf(at, failure, aborted.IsCancellationRequested), sent, received);
        }
        finally
        {
            head.Return();
        }
    }

    // The response head, skipping interim (1xx) responses (RFC 9110 section 15.2); returns it and where it starts.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<(ResponseHead Head, int Start)> ReadHeadAsync(BackendConnection connection)
    {
        while (true)
        {
            int end;
            while ((end = ResponseHead.FindEnd(connection.Buffer.AsSpan(connection.Start, connection.Buffered))) < 0)
            {
                if (connection.Buffered >= BackendConnection.MaxHeadSize) throw new InvalidDataException("the backend's response head is too large");
                if (await connection.FillAsync(connection.RequestTimeout) == 0)
                {
                    throw new IOException(connection.End == 0
                        ? "the backend closed the connection without answering"
                        : "the backend closed the connection inside its response head");
                }
            }

            var start = connection.Start;
            if (!ResponseHead.TryParse(connection.Buffer.AsSpan(start, end), out var head))
            {
                throw new InvalidDataException("the backend sent an invalid HTTP/1.1 response head");
            }

            if (head.Status >= 200) return (head, start);
            // We never ask for an upgrade on this leg, so a 101 is a protocol error.
            if (head.Status == 101) throw new InvalidDataException("the backend switched protocols unasked");
            connection.Start += end;
        }
    }

    // Stale: a reused connection failed on send or ended before a single response byte, and the client is still here.
    private static bool IsStale(BackendConnection connection, Exception e, CancellationToken aborted) =>
        !aborted.IsCancellationRequested && !connection.Answered && e is IOException or System.Net.Sockets.SocketException;

    private static void Release(ref BackendConnection? connection, ref CancellationTokenRegistration registration, BackendConnectionPool backend, bool reusable)
    {
        // The registration goes first, so a late client abort cannot cancel the connection once it is idle. Unregister,
        // not Dispose: Dispose waits for a callback running on another thread, and with inline socket completions
        // that thread may be waiting for this one. A callback that already ran makes the connection not reusable.
        var unregistered = registration.Unregister();
        registration = default;
        var done = connection!;
        connection = null;
        if (reusable && unregistered && done.TryReset()) backend.Return(done);
        else done.DisposeLater();
    }

    private static void Fail(HttpContext context, RouteTransformer transformer, LegPhase phase, Exception exception)
    {
        var aborted = context.RequestAborted.IsCancellationRequested;
        var error = ErrorOf(phase, exception, aborted);
        context.Features.Set<IForwarderErrorFeature>(new ForwarderErrorFeature(error, exception));
        var response = context.Response;
        if (response.HasStarted)
        {
            // Part of the backend's answer reached the client: the only honest signal left is to cut the connection.
            context.Abort();
            return;
        }

        if (phase >= LegPhase.ReadBackendBody) response.Clear(); // the backend's headers were copied, its body failed
        response.StatusCode = error switch
        {
            ForwarderError.RequestTimedOut or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled when !aborted => StatusCodes.Status504GatewayTimeout,
            ForwarderError.RequestBodyClient => StatusCodes.Status400BadRequest,
            _ => StatusCodes.Status502BadGateway,
        };
        transformer.FinishResponse(context, answered: false);
    }

    // The ForwarderError YARP reports for the same failure at the same point.
    private static ForwarderError ErrorOf(LegPhase phase, Exception exception, bool clientAborted)
    {
        var timedOut = !clientAborted && exception is OperationCanceledException or TimeoutException;
        return phase switch
        {
            LegPhase.Connect or LegPhase.SendHead or LegPhase.ResponseHead =>
                clientAborted ? ForwarderError.RequestCanceled : timedOut ? ForwarderError.RequestTimedOut : ForwarderError.Request,
            LegPhase.ReadClientBody => clientAborted ? ForwarderError.RequestBodyClient : timedOut ? ForwarderError.RequestBodyCanceled : ForwarderError.RequestBodyClient,
            LegPhase.WriteBackendBody => clientAborted ? ForwarderError.RequestBodyCanceled : timedOut ? ForwarderError.RequestBodyCanceled : ForwarderError.RequestBodyDestination,
            LegPhase.ReadBackendBody => clientAborted ? ForwarderError.ResponseBodyClient : timedOut ? ForwarderError.ResponseBodyCanceled : ForwarderError.ResponseBodyDestination,
            _ => clientAborted ? ForwarderError.ResponseBodyClient : timedOut ? ForwarderError.ResponseBodyCanceled : ForwarderError.ResponseBodyClient,
        };
    }
}
