using System.Buffers;
using Fulcrum.L7.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// One slot of a connection's stream table: the stream's state and windows (RFC 9113 sections 5.1 and 6.9), the
/// request body the client's DATA frames bring, and the exchange, body stream and response the handler sees. Slots
/// are made once per connection and reused stream after stream, so a request allocates no objects of its own. Fields
/// shared with the read loop are touched under the connection's lock.
/// </summary>
internal sealed class Http2Stream
{
    private readonly Http2Connection _connection;
    private CancellationTokenSource _aborted = new();
    private byte[] _body = [];
    private int _bodyStart;
    private int _bodyEnd;
    private TaskCompletionSource<bool>? _bodyWaiter;
    private TaskCompletionSource<bool>? _windowWaiter;

    public Http2Stream(Http2Connection connection)
    {
        _connection = connection;
        Exchange = new Http2Exchange(this);
        Body = new Http2RequestBody(this);
        Response = new Http2Response(this);
    }

    public Http2Connection Connection => _connection;
    public Http2RequestHead Head { get; } = new();
    public Http2Exchange Exchange { get; }
    public Http2RequestBody Body { get; }
    public Http2Response Response { get; }

    public int Id { get; private set; }
    public Http2StreamState State { get; set; }
    /// <summary>The handler (or the refusal) still runs; the slot is taken until it returns.</summary>
    public bool Running { get; set; }
    /// <summary>What this side may still send on the stream (the client's window for it).</summary>
    public long SendWindow { get; set; }
    /// <summary>What the client may still send before this side opens the window further.</summary>
    public int ReceiveWindow { get; set; }
    /// <summary>Body bytes the handler read and the stream window has not been opened by yet.</summary>
    public int Unacknowledged { get; set; }
    /// <summary>The client ended its side (END_STREAM): the body is complete.</summary>
    public bool RequestEnded { get; private set; }
    /// <summary>Why the body cannot be read on: a reset, a length that disagrees, too large.</summary>
    public Exception? BodyError { get; private set; }
    /// <summary>A status to answer with instead of running the handler (431: the header list was too large).</summary>
    public int RefuseStatus { get; set; }
    public long Received { get; private set; }
    public int Buffered => _bodyEnd - _bodyStart;
    public CancellationToken Aborted => _aborted.Token;
    public bool ExpectContinue { get; set; }
    /// <summary>The HEADERS frame carried END_STREAM: the request has no body.</summary>
    public bool EndedWithHeaders { get; private set; }

    /// <summary>Under the lock: the slot takes a new stream.</summary>
    public void Begin(int id, int sendWindow, int receiveWindow, bool endStream)
    {
        Id = id;
        State = endStream ? Http2StreamState.HalfClosedRemote : Http2StreamState.Open;
        Running = true;
        SendWindow = sendWindow;
        ReceiveWindow = receiveWindow;
        Unacknowledged = 0;
        RequestEnded = EndedWithHeaders = endStream;
        BodyError = null;
        Received = 0;
        _bodyStart = _bodyEnd = 0;
        _bodyWaiter = _windowWaiter = null;
        if (_aborted.IsCancellationRequested) _aborted = new CancellationTokenSource();
        Body.Begin(_connection.FrontEnd.Config.Limits.MinBodyRate);
        ExpectContinue = !endStream && Head.Headers.TryGetValue("Expect", out var expect) && string.Equals(expect, "100-continue", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Under the lock: DATA for this stream; returns a waiting reader to wake once the lock is let go.</summary>
    public TaskCompletionSource<bool>? Append(ReadOnlySpan<byte> data, bool endStream)
    {
        Received += data.Length;
        if (!data.IsEmpty && BodyError is null)
        {
            if (_bodyEnd + data.Length > _body.Length) MakeRoom(data.Length);
            data.CopyTo(_body.AsSpan(_bodyEnd));
            _bodyEnd += data.Length;
        }

        if (Head.ContentLength >= 0 && (Received > Head.ContentLength || endStream && Received != Head.ContentLength))
        {
            BodyError ??= new BadHttpRequestException("the request body does not match its content-length", StatusCodes.Status400BadRequest);
        }

        if (endStream) RequestEnded = true;
        return TakeBodyWaiter();
    }

    /// <summary>Under the lock: the request ended with trailers (dropped, as the backend leg sends none).</summary>
    public TaskCompletionSource<bool>? EndWithTrailers() => Append([], endStream: true);

    private void MakeRoom(int count)
    {
        if (_bodyStart > 0)
        {
            _body.AsSpan(_bodyStart, _bodyEnd - _bodyStart).CopyTo(_body);
            _bodyEnd -= _bodyStart;
            _bodyStart = 0;
        }

        if (_bodyEnd + count <= _body.Length) return;
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(_bodyEnd + count, 16 * 1024));
        _body.AsSpan(0, _bodyEnd).CopyTo(next);
        if (_body.Length > 0) ArrayPool<byte>.Shared.Return(_body);
        _body = next;
    }

    /// <summary>Under the lock: takes up to <paramref name="destination"/>'s length of buffered body.</summary>
    public int Take(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, Buffered);
        _body.AsSpan(_bodyStart, count).CopyTo(destination);
        _bodyStart += count;
        if (_bodyStart == _bodyEnd) _bodyStart = _bodyEnd = 0;
        return count;
    }

    /// <summary>Under the lock: the reader waits for DATA.</summary>
    public Task<bool> WaitForBody() => (_bodyWaiter = new TaskCompletionSource<bool>()).Task;

    /// <summary>Under the lock: the response waits for the client to open its window.</summary>
    public Task<bool> WaitForWindow() => (_windowWaiter = new TaskCompletionSource<bool>()).Task;

    public TaskCompletionSource<bool>? TakeBodyWaiter()
    {
        var waiter = _bodyWaiter;
        _bodyWaiter = null;
        return waiter;
    }

    public TaskCompletionSource<bool>? TakeWindowWaiter()
    {
        var waiter = _windowWaiter;
        _windowWaiter = null;
        return waiter;
    }

    /// <summary>Under the lock: the body cannot go on (413); the client's further DATA is dropped.</summary>
    public void FailBody(Exception error) => BodyError ??= error;

    /// <summary>
    /// Under the lock: the stream is reset (by the client, by this side, or the connection ended). The handler's token
    /// fires and waiting reads and writes fail; returns the buffered body's length, for the connection's window.
    /// </summary>
    public int Reset()
    {
        State = Http2StreamState.Closed;
        BodyError ??= new IOException("the HTTP/2 stream was reset");
        var dropped = Buffered;
        _bodyStart = _bodyEnd = 0;
        TakeBodyWaiter()?.TrySetResult(false);
        TakeWindowWaiter()?.TrySetResult(false);
        // Cancelling runs the handler's callbacks (the backend leg's abort): off this thread, which holds the lock.
        _ = _aborted.CancelAsync();
        return dropped;
    }

    /// <summary>Under the lock, when the handler returned: the body buffer goes back; returns what was left unread.</summary>
    public int Release()
    {
        var dropped = Buffered;
        _bodyStart = _bodyEnd = 0;
        if (_body.Length > 0) ArrayPool<byte>.Shared.Return(_body);
        _body = [];
        Running = false;
        State = Http2StreamState.Idle;
        return dropped;
    }

    /// <summary>Runs the listener's handler on this stream's exchange, then ends the response (started by the read loop).</summary>
    public async Task RunAsync()
    {
        var exchange = Exchange;
        var frontEnd = _connection.FrontEnd;
        var completed = false;
        try
        {
            if (RefuseStatus != 0)
            {
                var body = System.Text.Encoding.ASCII.GetBytes($"{RefuseStatus} {Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(RefuseStatus)}\n");
                exchange.SetAnswer(RefuseStatus, body, "text/plain; charset=utf-8");
                await Response.WriteAsync(body);
            }
            else
            {
                try
                {
                    await frontEnd.Handler(exchange);
                }
                catch (Exception e) when (!Aborted.IsCancellationRequested)
                {
                    Log.RequestFailed(frontEnd.Logger, frontEnd.Config.Name, _connection.PeerText, e);
                    if (Response.Started)
                    {
                        _connection.ResetStream(this, Http2ErrorCode.InternalError, "the handler failed after the response started");
                        return;
                    }

                    exchange.ClearResponse();
                    exchange.Status = e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
                }
            }

            if (Aborted.IsCancellationRequested) return;
            await Response.CompleteAsync();
            completed = true;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The stream or the connection went away under the response, or the response broke its own framing.
            if (!Aborted.IsCancellationRequested) _connection.ResetStream(this, Http2ErrorCode.InternalError, e.Message);
        }
        finally
        {
            if (completed) frontEnd.Completed?.Invoke(exchange);
            exchange.Complete();
            _connection.StreamFinished(this);
        }
    }
}
