using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// A stream's request body as the handler reads it: the DATA the read loop buffered for the stream, each read opening
/// the client's windows by what it took (<see cref="Http2Connection.Consumed"/>). A body over `max-body-size` fails
/// with 413, one that disagrees with its content-length or is reset with 400, as Kestrel's does, so the backend leg
/// answers the same. One slower than `min-body-rate` fails with 408: the stream is answered and reset, and the
/// connection's other streams go on (Kestrel ends the whole connection instead; one slow upload should not cost a
/// client its other requests).
/// </summary>
internal sealed class Http2RequestBody(Http2Stream stream) : AsyncReadStream
{
    private MinBodyRate _rate;

    /// <summary>Under the lock, as the slot takes a new stream: <paramref name="minRate"/> is `min-body-rate`, 0 for none.</summary>
    public void Begin(int minRate) => _rate.Begin(minRate);

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty) return 0;
        var connection = stream.Connection;
        while (true)
        {
            Task<bool>? wait = null;
            var read = -1;
            bool queued;
            lock (connection.Sync)
            {
                if (stream.Buffered > 0)
                {
                    read = stream.Take(destination.Span);
                    _rate.Received(read);
                    queued = connection.Consumed(stream, read);
                }
                else
                {
                    if (stream.BodyError is { } error)
                    {
                        throw error as BadHttpRequestException ?? new BadHttpRequestException("the request body broke off", StatusCodes.Status400BadRequest, error);
                    }

                    if (stream.RequestEnded) return 0;
                    queued = false;
                    if (stream.ExpectContinue)
                    {
                        stream.ExpectContinue = false;
                        stream.Response.QueueContinue();
                        queued = true;
                    }

                    wait = stream.WaitForBody();
                }
            }

            if (queued) connection.FlushIfDue();
            if (wait is null) return read;
            if (_rate.Limited) await WaitLimitedAsync(wait, connection.FrontEnd.Time, cancellationToken);
            else if (cancellationToken.CanBeCanceled) await wait.WaitAsync(cancellationToken);
            else await wait;
        }
    }

    // A wait for the client's DATA, cut where the body would fall below min-body-rate (only waits count, as on HTTP/1.1).
    private async Task WaitLimitedAsync(Task<bool> wait, TimeProvider time, CancellationToken cancellationToken)
    {
        var allowed = _rate.Allowed;
        if (allowed <= TimeSpan.Zero) throw MinBodyRate.TooSlow();
        var started = time.GetTimestamp();
        try
        {
            await wait.WaitAsync(allowed, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw MinBodyRate.TooSlow();
        }
        finally
        {
            _rate.Waited(time.GetElapsedTime(started));
        }
    }
}
