using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>
/// A request's body as a stream, by its framing: Content-Length bytes, or chunks through the strict
/// <see cref="ChunkedDecoder"/>. Reads take what the connection has buffered after the head first, then read the socket
/// (large reads of a long body go straight into the caller's memory). A body that breaks off or breaks the chunked
/// grammar fails the read with 400, one over `max-body-size` with 413, one slower than `min-body-rate` with 408, as
/// Kestrel's does, so the backend leg answers the same.
/// </summary>
internal sealed class Http1RequestBody(Http1Connection connection) : AsyncReadStream
{
    private readonly ChunkedDecoder _chunks = new();
    // Fires when the client has been waited for longer than min-body-rate allows; made on the first wait.
    private CancellationTokenSource? _slow;
    private Http1BodyFraming _framing;
    private MinBodyRate _rate;
    private long _remaining;
    private long _maxBody;
    private bool _continue;

    /// <summary>True once the body was read to its end (the connection can read the next request).</summary>
    public bool Done { get; private set; }

    /// <param name="minRate">`min-body-rate`: bytes per second the client must keep up while it is waited for; 0 for none.</param>
    public void Begin(Http1RequestHead head, long maxBody, int maxTrailers, int minRate)
    {
        _rate.Begin(minRate);
        _framing = head.Framing;
        _remaining = head.ContentLength;
        _maxBody = maxBody;
        _continue = head.ExpectContinue;
        _chunks.Reset(maxTrailers);
        Done = _framing == Http1BodyFraming.None;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (Done || destination.IsEmpty) return 0;
        if (_continue)
        {
            _continue = false;
            if (connection.Buffered == 0) await connection.Response.ContinueAsync(cancellationToken);
        }

        return _framing == Http1BodyFraming.Length ? await ReadLengthAsync(destination, cancellationToken) : await ReadChunkedAsync(destination, cancellationToken);
    }

    private async ValueTask<int> ReadLengthAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var want = (int)Math.Min(destination.Length, _remaining);
        int read;
        if (connection.Buffered > 0) read = connection.Take(destination.Span[..want]);
        else if ((read = await ReceiveAsync(destination[..want], cancellationToken)) == 0) throw Early();
        _remaining -= read;
        if (_remaining == 0) Done = true;
        return read;
    }

    private async ValueTask<int> ReadChunkedAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            var status = _chunks.Next(connection.BufferedSpan, out var consumed);
            connection.Skip(consumed);
            switch (status)
            {
                case ChunkedStatus.Data:
                    var read = connection.Take(destination.Span[..(int)Math.Min(destination.Length, _chunks.Remaining)]);
                    _chunks.Took(read);
                    if (_maxBody > 0 && _chunks.Total > _maxBody)
                    {
                        connection.Response.CloseAfter();
                        throw new BadHttpRequestException("the request body is larger than the listener's max-body-size", StatusCodes.Status413PayloadTooLarge);
                    }

                    return read;
                case ChunkedStatus.End:
                    Done = true;
                    return 0;
                case ChunkedStatus.Invalid:
                    connection.Response.CloseAfter();
                    throw new BadHttpRequestException("the chunked request body is malformed", StatusCodes.Status400BadRequest);
            }

            if (await ReceiveAsync(Memory<byte>.Empty, cancellationToken) == 0) throw Early();
        }
    }

    // One wait for the client: into the caller's memory, or (empty) into the connection's buffer. With min-body-rate, as
    // Kestrel's MinRequestBodyDataRate: only the time spent waiting counts, and past the grace the bytes so far must keep
    // up with the rate over it; the wait is cut where they would stop doing so.
    private async ValueTask<int> ReceiveAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (!_rate.Limited) return destination.IsEmpty ? await connection.FillAsync(cancellationToken) : await connection.ReadDirectAsync(destination, cancellationToken);

        var allowed = _rate.Allowed;
        if (allowed <= TimeSpan.Zero) throw TooSlow();
        var slow = Slow();
        slow.CancelAfter(allowed);
        var link = cancellationToken.UnsafeRegister(static s => CancelQuietly((CancellationTokenSource)s!), slow);
        var started = connection.Time.GetTimestamp();
        try
        {
            var read = destination.IsEmpty ? await connection.FillAsync(slow.Token) : await connection.ReadDirectAsync(destination, slow.Token);
            _rate.Received(read);
            return read;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !connection.Aborted.IsCancellationRequested)
        {
            throw TooSlow();
        }
        finally
        {
            // Unregister, not Dispose: Dispose would wait for a callback running on another thread (see Http1Leg).
            link.Unregister();
            slow.CancelAfter(Timeout.InfiniteTimeSpan);
            _rate.Waited(connection.Time.GetElapsedTime(started));
        }
    }

    private CancellationTokenSource Slow()
    {
        if (_slow is { } slow && slow.TryReset()) return slow;
        _slow?.Dispose();
        return _slow = new CancellationTokenSource(Timeout.InfiniteTimeSpan, connection.Time);
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private BadHttpRequestException TooSlow()
    {
        connection.Response.CloseAfter();
        return MinBodyRate.TooSlow();
    }

    private BadHttpRequestException Early()
    {
        connection.Response.CloseAfter();
        return new BadHttpRequestException("the request body ended early", StatusCodes.Status400BadRequest);
    }
}
