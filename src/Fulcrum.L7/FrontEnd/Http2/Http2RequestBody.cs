using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// A stream's request body as the handler reads it: the DATA the read loop buffered for the stream, each read opening
/// the client's windows by what it took (<see cref="Http2Connection.Consumed"/>). A body over `max-body-size` fails
/// with 413, one that disagrees with its content-length or is reset with 400, as Kestrel's does, so the backend leg
/// answers the same.
/// </summary>
internal sealed class Http2RequestBody(Http2Stream stream) : AsyncReadStream
{
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
            if (cancellationToken.CanBeCanceled) await wait.WaitAsync(cancellationToken);
            else await wait;
        }
    }
}
