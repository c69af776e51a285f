using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Fulcrum.Core.Model;
using Fulcrum.L7.Exchange;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// The backend leg: forwards one ordinary request over an HTTP/1.1 keep-alive connection of our own
/// (<see cref="BackendConnectionPool"/>), in place of YARP's IHttpForwarder and SocketsHttpHandler, which cost about
/// twice what the whole request costs nginx (docs/performance.md), in the three steps of <see cref="IBackendLeg"/>.
/// Upgrades (WebSocket) from Fulcrum's own front end take it too (<see cref="SendUpgradeAsync"/>, <see cref="RelayAsync"/>);
/// Kestrel's go through YARP's forwarder (<see cref="Forwarding.UpgradeLeg"/>).
/// </summary>
internal sealed class Http1Leg : IBackendLeg
{
    // Runs when the client goes away, on whichever thread Kestrel noticed it. The cancellation itself (which runs the
    // socket's callbacks and our continuation) goes to the thread pool, not inside Kestrel's abort path.
    private static readonly Action<object?> CancelConnection = static state =>
        ThreadPool.UnsafeQueueUserWorkItem(static c => c.Cancel(), (BackendConnection)state!, preferLocal: false);

    private readonly TimeSpan _requestTimeout;
    private readonly PoolConnections _connections;
    private readonly FrozenDictionary<Backend, BackendConnectionPool> _backends;

    /// <param name="requestTimeout">The pool's request-timeout: the bound on each wait on the backend.</param>
    /// <param name="connections">The pool's keep-alive connections.</param>
    /// <param name="backends">The pool's backends in this topology generation, whose connections are looked up once here.</param>
    public Http1Leg(TimeSpan requestTimeout, PoolConnections connections, IEnumerable<Backend> backends)
    {
        _requestTimeout = requestTimeout;
        _connections = connections;
        var byBackend = new Dictionary<Backend, BackendConnectionPool>(ReferenceEqualityComparer.Instance);
        foreach (var backend in backends) byBackend[backend] = connections.For(backend);
        _backends = byBackend.ToFrozenDictionary(ReferenceEqualityComparer.Instance);
    }

    /// <summary>Sends the request (head and body) and reads the backend's response head, skipping 1xx answers.</summary>
    public ValueTask<LegResult> SendAsync(HttpExchange exchange, Backend backend, LegAttempt attempt) => SendAsync(exchange, ConnectionsOf(backend), attempt, null);

    /// <summary>
    /// As <see cref="SendAsync(HttpExchange, Backend, LegAttempt)"/> for a request that asks to switch protocols
    /// (<see cref="HttpExchange.IsUpgradeOrConnect"/> on a front end that relays it itself): asks the backend for the
    /// client's Upgrade, and takes a 101 as the answer. The attempt then goes on with <see cref="RelayAsync"/>.
    /// </summary>
    public ValueTask<LegResult> SendUpgradeAsync(HttpExchange exchange, Backend backend, LegAttempt attempt) =>
        SendAsync(exchange, ConnectionsOf(backend), attempt, exchange.RequestHeader("Upgrade").ToString());

    // A backend of this generation, or one reached by affinity that the generation does not list (it is leaving).
    private BackendConnectionPool ConnectionsOf(Backend backend) =>
        _backends.TryGetValue(backend, out var connections) ? connections : _connections.For(backend);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<LegResult> SendAsync(HttpExchange exchange, BackendConnectionPool backend, LegAttempt attempt, string? upgrade)
    {
        var aborted = exchange.Aborted;
        var canHaveBody = exchange.RequestHasBody;
        var length = exchange.RequestContentLength ?? -1;
        var chunked = canHaveBody && length < 0;
        var streamed = canHaveBody && length > RequestBody.InlineLimit;
        var phase = LegPhase.SendHead;
        var head = RequestHead.Rent(4096);
        attempt.Clear();
        attempt.Backend = backend;
        BackendConnection? connection = null;
        try
        {
            if (exchange.RequestFieldBytes is { } fields)
            {
                head.WriteHead(exchange.Method, exchange.BackendPath.ToUriComponent(), exchange.Query.Value, fields, chunked, backend.Authority, upgrade);
            }
            else
            {
                var headers = OutgoingHeaders.Rent();
                try
                {
                    headers.CopyFrom(exchange.RequestHeaders);
                    head.WriteHead(exchange.Method, exchange.BackendPath.ToUriComponent(), exchange.Query.Value, headers, chunked, backend.Authority, upgrade);
                }
                finally
                {
                    OutgoingHeaders.Return(headers);
                }
            }

            if (canHaveBody && length > 0 && !streamed)
            {
                phase = LegPhase.ReadClientBody;
                await RequestBody.ReadExactlyAsync(exchange.RequestBody, head.Reserve((int)length), aborted);
                head.Length += (int)length;
                attempt.Sent = length;
            }

            for (var retry = 0; ; retry++)
            {
                phase = LegPhase.Connect;
                connection = retry == 0 ? backend.TakeIdle() : null;
                if (connection is null)
                {
                    // The access log's upstream_connect_ms: only a new connection has a connect to time.
                    var connecting = System.Diagnostics.Stopwatch.GetTimestamp();
                    connection = await backend.ConnectAsync(aborted);
                    exchange.Record.UpstreamConnectMs = System.Diagnostics.Stopwatch.GetElapsedTime(connecting).TotalMilliseconds;
                }
                attempt.Connection = connection;
                connection.RentBuffer();
                connection.Received = 0;
                connection.Sent = 0;
                connection.RequestTimeout = _requestTimeout;
                connection.Phase = LegPhase.SendHead;
                attempt.Registration = aborted.UnsafeRegister(CancelConnection, connection);
                try
                {
                    connection.Arm(_requestTimeout);
                    await connection.Stream.WriteAsync(head.Buffer.AsMemory(0, head.Length), connection.Token);
                    if (streamed || chunked) attempt.BodySend = RequestBody.SendStreamedAsync(exchange.RequestBody, connection, chunked);
                    connection.Phase = LegPhase.ResponseHead;
                    (attempt.Head, attempt.HeadStart) = await ReadHeadAsync(connection, upgrade is not null);
                    break;
                }
                catch (Exception e) when (retry == 0 && connection.Reused && !streamed && !chunked && IsStale(connection, e, aborted))
                {
                    // The backend closed this idle connection as we reused it (its keep-alive timeout): nothing of the
                    // request was processed, so send it again once on a new connection, as HttpClient does.
                    attempt.Registration.Unregister();
                    connection.DisposeLater();
                    attempt.Connection = connection = null;
                }
            }

            var status = attempt.Head.Status;
            return new LegResult(status, OutcomeOf(status), attempt.Sent, 0, Retryable: true);
        }
        catch (Exception e)
        {
            return await FailAsync(exchange, attempt, connection?.Phase ?? phase, e);
        }
        finally
        {
            head.Return();
        }
    }

    /// <summary>
    /// Drops a response head that will not be passed on; its connection is not reused. An attempt that may still be
    /// sending a streamed body waits for that send to end.
    /// </summary>
    public ValueTask AbandonAsync(LegAttempt attempt)
    {
        var bodySend = attempt.BodySend;
        Release(attempt, reusable: false); // closing the connection ends a send still under way
        return bodySend is null ? default : EndSendAsync(bodySend);
    }

    private static async ValueTask EndSendAsync(Task bodySend)
    {
        try
        {
            await bodySend;
        }
        catch (Exception)
        {
            // Its failure is the closed connection's, not news.
        }
    }

    /// <summary>Puts the backend's status and end-to-end headers on the exchange's response (as bytes where it takes them).</summary>
    public void CopyHead(LegAttempt attempt, HttpExchange exchange)
    {
        var connection = attempt.Connection!;
        connection.Phase = LegPhase.ReadBackendBody; // from here a failure means the backend's answer is cut short
        exchange.Status = attempt.Head.Status;
        var head = connection.Buffer.AsSpan(attempt.HeadStart, attempt.Head.End);
        // A front end that takes the lines as bytes gets them so, without a string per header.
        if (exchange.ResponseFieldBytes is { } bytes && bytes.TryReserveResponseFields(ResponseHead.FieldsRoom(head), out var room))
        {
            bytes.ResponseFieldsWritten(attempt.Head.WriteFields(head, room));
        }
        else attempt.Head.CopyTo(head, exchange.ResponseHeaders, connection);
        connection.Start = attempt.HeadStart + attempt.Head.End;
    }

    /// <summary>Copies the response body to <see cref="HttpExchange.ResponseBody"/> by its framing, then lets the connection go.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<LegResult> CopyBodyAsync(LegAttempt attempt, HttpExchange exchange)
    {
        var connection = attempt.Connection!;
        var response = attempt.Head;
        var client = exchange.ResponseBody;
        try
        {
            var reusable = !response.Http10 && !response.ConnectionClose;
            if (response.HasNoBody(HttpMethods.IsHead(exchange.Method))) reusable &= connection.Buffered == 0;
            else if (response.Chunked) reusable &= await ResponseBody.CopyChunkedAsync(connection, client);
            else if (response.OtherCoding || response.ContentLength < 0)
            {
                await ResponseBody.CopyToEndAsync(connection, client);
                reusable = false;
            }
            else reusable &= await ResponseBody.CopyLengthAsync(connection, client, response.ContentLength);

            if (attempt.BodySend is { } bodySend)
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

                attempt.Sent = connection.Sent;
            }

            var (sent, received) = (attempt.Sent, connection.Received);
            Release(attempt, reusable);
            return new LegResult(response.Status, OutcomeOf(response.Status), sent, received, Retryable: false);
        }
        catch (Exception e)
        {
            return await FailAsync(exchange, attempt, connection.Phase, e);
        }
    }

    /// <summary>
    /// After a 101 to <see cref="SendUpgradeAsync"/>, its head copied and the response hooks run: the client's 101 with
    /// the backend's Upgrade, then the bytes both ways until the relay ends (<see cref="UpgradeRelay"/>). The connection
    /// is never reused.
    /// </summary>
    public async ValueTask<LegResult> RelayAsync(LegAttempt attempt, HttpExchange exchange)
    {
        var connection = attempt.Connection!;
        var protocol = UpgradeRelay.UpgradeOf(connection.Buffer.AsSpan(attempt.HeadStart, attempt.Head.End), attempt.Head.HeadersStart);
        if (protocol is not null) exchange.SetResponseHeader("Upgrade", protocol);
        Stream client;
        try
        {
            connection.Phase = LegPhase.WriteClientBody;
            client = await exchange.SwitchProtocolsAsync(connection.Token);
        }
        catch (Exception e)
        {
            return await FailAsync(exchange, attempt, LegPhase.WriteClientBody, e);
        }

        var ending = await UpgradeRelay.RunAsync(connection, client, _requestTimeout, exchange.Aborted);
        Release(attempt, reusable: false);
        return new LegResult(StatusCodes.Status101SwitchingProtocols, ending.Outcome, ending.Sent, ending.Received, Retryable: false,
            ending.Failure, LegPhase.ReadBackendBody);
    }

    private static Outcome OutcomeOf(int status) => status is 502 or 503 or 504 ? Outcome.ServerError : Outcome.Success;

    // The response head, skipping interim (1xx) responses (RFC 9110 section 15.2); returns it and where it starts.
    // Interim heads count toward the head size limit together with the final one, so a backend that sends 1xx
    // answers without end gets a 502 rather than holding the request forever.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<(ResponseHead Head, int Start)> ReadHeadAsync(BackendConnection connection, bool upgrade)
    {
        var interim = 0;
        while (true)
        {
            int end;
            while ((end = ResponseHead.FindEnd(connection.Buffer.AsSpan(connection.Start, connection.Buffered))) == -1)
            {
                if (interim + connection.Buffered >= BackendConnection.MaxHeadSize) throw new InvalidDataException("the backend's response head is too large");
                if (await connection.FillAsync(connection.RequestTimeout) == 0)
                {
                    throw new IOException(connection.End == 0
                        ? "the backend closed the connection without answering"
                        : "the backend closed the connection inside its response head");
                }
            }

            var start = connection.Start;
            if (end == ResponseHead.Invalid || !ResponseHead.TryParse(connection.Buffer.AsSpan(start, end), out var head))
            {
                throw new InvalidDataException("the backend sent an invalid HTTP/1.1 response head");
            }

            if (head.Status >= 200 || head.Status == 101 && upgrade) return (head, start);
            if (head.Status == 101) throw new InvalidDataException("the backend switched protocols unasked");
            interim += end;
            if (interim >= BackendConnection.MaxHeadSize) throw new InvalidDataException("the backend sent too many interim responses");
            connection.Start += end;
        }
    }

    // Stale: a reused connection failed on send or ended before a single response byte, and the client is still here.
    private static bool IsStale(BackendConnection connection, Exception e, CancellationToken aborted) =>
        !aborted.IsCancellationRequested && !connection.Answered && e is IOException or System.Net.Sockets.SocketException;

    private static void Release(LegAttempt attempt, bool reusable)
    {
        // The registration goes first, so a late client abort cannot cancel the connection once it is idle. Unregister,
        // not Dispose: Dispose waits for a callback running on another thread, and with inline socket completions
        // that thread may be waiting for this one. A callback that already ran makes the connection not reusable.
        var unregistered = attempt.Registration.Unregister();
        var done = attempt.Connection!;
        var backend = attempt.Backend!;
        attempt.Clear();
        if (reusable && unregistered && done.TryReset()) backend.Return(done);
        else done.DisposeLater();
    }

    // A failed step: closes the connection, waits for the body's send (whose failure may be the real cause), classifies.
    private static async ValueTask<LegResult> FailAsync(HttpExchange exchange, LegAttempt attempt, LegPhase at, Exception failure)
    {
        var connection = attempt.Connection;
        var received = connection?.Received ?? 0;
        attempt.Registration.Unregister();
        connection?.DisposeLater();
        if (attempt.BodySend is { } bodySend)
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

            attempt.Sent = connection!.Sent;
        }

        var sent = attempt.Sent;
        attempt.Clear();
        var clientGone = exchange.Aborted.IsCancellationRequested;
        var (outcome, status) = Classify(at, failure, clientGone);
        return new LegResult(status, outcome, sent, received, Retryable: !clientGone && !exchange.ResponseStarted, failure, at);
    }

    /// <summary>
    /// What a failure counts as for the backend, and the status the balancer answers in its place. Only what the
    /// backend did counts against it (passive health reads this): a client that went away never does.
    /// </summary>
    private static (Outcome Outcome, int Status) Classify(LegPhase phase, Exception failure, bool clientGone)
    {
        if (clientGone) return (Outcome.ClientAbort, StatusCodes.Status502BadGateway);
        if (failure is OperationCanceledException or TimeoutException) return (Outcome.Timeout, StatusCodes.Status504GatewayTimeout);
        return phase switch
        {
            LegPhase.Connect or LegPhase.SendHead or LegPhase.ResponseHead => (IsConnectFailure(failure) ? Outcome.ConnectFailure : Outcome.Reset, StatusCodes.Status502BadGateway),
            // The client's body broke off (it sent less than it announced, a bad chunk, more than max-body-size, too
            // slowly): its fault, not the backend's; the front end's own verdict (413, 408) when it gave one.
            LegPhase.ReadClientBody => (Outcome.ClientAbort, failure is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest),
            LegPhase.WriteClientBody => (Outcome.ClientAbort, StatusCodes.Status502BadGateway),
            _ => (Outcome.Reset, StatusCodes.Status502BadGateway),
        };
    }

    public static bool IsConnectFailure(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException hre) return hre.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError;
        }

        return false;
    }
}
