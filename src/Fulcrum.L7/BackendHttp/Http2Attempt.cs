namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// One attempt on the HTTP/2 leg between its steps (<see cref="Http2Leg"/>): the request and response messages, the
/// cancellation that the client's going away, the pool's request-timeout and the call's grpc-timeout all fire, and the
/// request body's send. Made per request: an HTTP/2 leg allocates the HttpClient messages anyway.
/// </summary>
internal sealed class Http2Attempt : IDisposable
{
    private const int None = 0, Wait = 1, Deadline = 2;
    private static readonly TimerCallback WaitExpired = static state => ((Http2Attempt)state!).Expire(Wait);
    private static readonly TimerCallback DeadlineExpired = static state => ((Http2Attempt)state!).Expire(Deadline);

    private readonly CancellationTokenSource _cancel;
    private readonly ITimer _wait;
    private readonly ITimer? _deadline;
    private readonly TimeSpan _requestTimeout;
    private int _expired;

    public Http2Attempt(CancellationToken clientAborted, TimeProvider time, TimeSpan requestTimeout, TimeSpan? deadline)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
        _requestTimeout = requestTimeout;
        _wait = time.CreateTimer(WaitExpired, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (deadline is { } d) _deadline = time.CreateTimer(DeadlineExpired, this, d, Timeout.InfiniteTimeSpan);
    }

    public HttpRequestMessage? Request;
    public HttpResponseMessage? Response;
    public StreamedRequestContent? Body;
    public LegPhase Phase;

    /// <summary>Fires when the client goes away or a timeout expires: cancels the backend's stream (RST_STREAM CANCEL).</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>True once the pool's request-timeout (one wait on the backend) or the call's grpc-timeout expired.</summary>
    public bool TimedOut => Volatile.Read(ref _expired) != None;

    /// <summary>True when it was the call's grpc-timeout.</summary>
    public bool DeadlineExceeded => Volatile.Read(ref _expired) == Deadline;

    /// <summary>Starts the request-timeout for one wait on the backend (the head, one read of the body).</summary>
    public void Arm() => _wait.Change(_requestTimeout, Timeout.InfiniteTimeSpan);

    public void Disarm() => _wait.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    /// <summary>Ends what is still running of the attempt (the body's send); the backend sees its stream cancelled.</summary>
    public void Cancel() => _cancel.Cancel();

    private void Expire(int which)
    {
        Interlocked.CompareExchange(ref _expired, which, None);
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The attempt ended as the timer fired.
        }
    }

    public void Dispose()
    {
        _wait.Dispose();
        _deadline?.Dispose();
        Response?.Dispose();
        Request?.Dispose();
        _cancel.Dispose();
    }
}
