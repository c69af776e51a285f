using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>
/// A request's body as a stream, by its framing: Content-Length bytes, or chunks through the strict
/// <see cref="ChunkedDecoder"/>. Reads take what the connection has buffered after the head first, then read the socket
/// (large reads of a long body go straight into the caller's memory). A body that breaks off or breaks the chunked
/// grammar fails the read with 400, one over `max-body-size` with 413, as Kestrel's does, so the backend leg answers the same.
/// </summary>
internal sealed class Http1RequestBody(Http1Connection connection) : AsyncReadStream
{
    private readonly ChunkedDecoder _chunks = new();
    private Http1BodyFraming _framing;
    private long _remaining;
    private long _maxBody;
    private bool _continue;

    /// <summary>True once the body was read to its end (the connection can read the next request).</summary>
    public bool Done { get; private set; }

    public void Begin(Http1RequestHead head, long maxBody, int maxTrailers)
    {
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
        else if ((read = await connection.ReadDirectAsync(destination[..want], cancellationToken)) == 0) throw Early();
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

            if (await connection.FillAsync(cancellationToken) == 0) throw Early();
        }
    }

    private BadHttpRequestException Early()
    {
        connection.Response.CloseAfter();
        return new BadHttpRequestException("the request body ended early", StatusCodes.Status400BadRequest);
    }
}
