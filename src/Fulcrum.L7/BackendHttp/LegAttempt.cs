namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// The state of one attempt on the backend leg between its steps (<see cref="IBackendLeg"/>: send and read the head,
/// copy the head, copy the body): on the HTTP/1.1 leg the connection, the parsed head, the streamed body's send; on
/// the HTTP/2 leg its stream. One per client connection, reused by each of its requests
/// (<see cref="Exchange.HttpExchange"/> keeps it), so the HTTP/1.1 leg allocates nothing per request.
/// </summary>
internal sealed class LegAttempt
{
    /// <summary>The HTTP/2 leg's stream; null on the HTTP/1.1 leg and between attempts.</summary>
    public Http2Attempt? Stream;
    public BackendConnection? Connection;
    public BackendConnectionPool? Backend;
    public CancellationTokenRegistration Registration;
    public ResponseHead Head;
    /// <summary>Where <see cref="Head"/> starts in the connection's buffer.</summary>
    public int HeadStart;
    /// <summary>The streamed request body's send, running while the response is read; null for a body sent with the head.</summary>
    public Task? BodySend;
    public long Sent;

    public void Clear()
    {
        Stream = null;
        Connection = null;
        Backend = null;
        Registration = default;
        Head = default;
        HeadStart = 0;
        BodySend = null;
        Sent = 0;
    }
}
