using System.Buffers;
using System.Net;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// The client's request body as the HTTP/2 leg sends it: copied as it arrives and flushed after each read, so a gRPC
/// client-streaming or bidirectional call's messages reach the backend one by one while its answers come back (the
/// handler returns the response head as soon as it arrives, with this still sending: full duplex). Counts the bytes
/// sent, and tells a failure to read the client's body (its fault) from a failure to write to the backend.
/// </summary>
internal sealed class StreamedRequestContent(Stream source, long? length, CancellationToken attempt) : HttpContent
{
    private const int BufferSize = 16 * 1024;
    private readonly long? _length = length;
    private long _sent;

    /// <summary>Body bytes written to the backend.</summary>
    public long Sent => Volatile.Read(ref _sent);

    /// <summary>Why reading the client's body failed (it sent less than it announced, went away, was too large); null otherwise.</summary>
    public Exception? ClientFailure { get; private set; }

    /// <summary>The send, once the handler started it; the leg waits for it before the request ends.</summary>
    public Task? Sending { get; private set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        Sending = CopyAsync(stream, cancellationToken);

    private async Task CopyAsync(Stream target, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attempt);
        var token = linked.Token;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await source.ReadAsync(buffer, token);
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    ClientFailure = e;
                    throw;
                }

                if (read == 0) return;
                await target.WriteAsync(buffer.AsMemory(0, read), token);
                Interlocked.Add(ref _sent, read);
                await target.FlushAsync(token);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length ?? 0;
        return _length is not null;
    }
}
