using System.Buffers;
using System.Buffers.Text;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// Sends a client's request body to the backend: small ones ride in the head's buffer (one send, and a stale
/// connection can be retried since the body is still at hand), larger ones are streamed as they arrive, and a
/// body of unknown length (chunked, or HTTP/2 without Content-Length) goes out chunked (RFC 9112 section 7.1).
/// </summary>
internal static class RequestBody
{
    /// <summary>A Content-Length body up to this size is read first and sent with the head.</summary>
    public const int InlineLimit = 8 * 1024;

    // Room before the data for the chunk-size line: up to 8 hex digits and CRLF.
    private const int ChunkHeader = 10;

    private static readonly byte[] LastChunk = "0\r\n\r\n"u8.ToArray();

    /// <summary>Fills <paramref name="into"/> from the client's body.</summary>
    public static async ValueTask ReadExactlyAsync(Stream body, Memory<byte> into, CancellationToken cancellationToken)
    {
        while (into.Length > 0)
        {
            var read = await body.ReadAsync(into, cancellationToken);
            if (read == 0) throw new IOException("the client's body ended before its Content-Length");
            into = into[read..];
        }
    }

    /// <summary>
    /// Streams the client's body to the backend, concurrently with reading the response: a backend may answer
    /// (or echo) before it has read the whole body, and would stall if nobody read its answer (SocketsHttpHandler
    /// does the same). Uses its own pooled buffer; keeps <see cref="BackendConnection.SendPhase"/> and
    /// <see cref="BackendConnection.Sent"/> current for the error report and the byte count.
    /// </summary>
    public static async Task SendStreamedAsync(Stream body, BackendConnection connection, bool chunked)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BackendConnection.BufferSize);
        try
        {
            var room = buffer.Length - ChunkHeader - 2;
            var offset = chunked ? ChunkHeader : 0;
            while (true)
            {
                connection.SendPhase = LegPhase.ReadClientBody;
                connection.Arm(connection.RequestTimeout);
                var read = await body.ReadAsync(buffer.AsMemory(offset, room), connection.Token);
                connection.SendPhase = LegPhase.WriteBackendBody;
                connection.Arm(connection.RequestTimeout);
                if (read == 0)
                {
                    if (chunked) await connection.Stream.WriteAsync(LastChunk, connection.Token);
                    connection.SendPhase = LegPhase.ResponseHead;
                    return;
                }

                if (chunked)
                {
                    // The size line goes right before the data, so a chunk leaves in one write.
                    Utf8Formatter.TryFormat(read, buffer.AsSpan(0, 8), out var length, 'x');
                    var start = ChunkHeader - length - 2;
                    buffer.AsSpan(0, length).CopyTo(buffer.AsSpan(start)); // CopyTo handles the overlap
                    buffer[ChunkHeader - 2] = (byte)'\r';
                    buffer[ChunkHeader - 1] = (byte)'\n';
                    buffer[ChunkHeader + read] = (byte)'\r';
                    buffer[ChunkHeader + read + 1] = (byte)'\n';
                    await connection.Stream.WriteAsync(buffer.AsMemory(start, ChunkHeader - start + read + 2), connection.Token);
                }
                else
                {
                    await connection.Stream.WriteAsync(buffer.AsMemory(0, read), connection.Token);
                }

                connection.Sent += read;
            }
        }
        catch
        {
            connection.Cancel(); // the response side must not wait for an answer to a request that will not complete
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
