using System.Runtime.CompilerServices;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// Copies a backend's response body to the client by its framing (RFC 9112 section 6.3): a Content-Length, the
/// chunked coding (decoded here; Kestrel frames the body again for its client), or up to the end of the
/// connection. Each backend read is bounded by the pool's request-timeout. Counts the body bytes passed on.
/// </summary>
internal static class ResponseBody
{
    private const int MaxChunkLine = 4096;

    /// <summary>Copies <paramref name="length"/> bytes; true when the connection may carry another request.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<bool> CopyLengthAsync(BackendConnection connection, Stream client, long length)
    {
        var remaining = length;
        if (connection.Buffered > 0)
        {
            var take = (int)Math.Min(connection.Buffered, remaining);
            await WriteAsync(connection, client, connection.Start, take);
            connection.Start += take;
            remaining -= take;
        }

        while (remaining > 0)
        {
            connection.Phase = LegPhase.ReadBackendBody;
            connection.Start = connection.End = 0;
            var want = (int)Math.Min(connection.Buffer.Length, remaining);
            connection.Arm(connection.RequestTimeout);
            var read = await connection.Stream.ReadAsync(connection.Buffer.AsMemory(0, want), connection.Token);
            if (read == 0) throw new IOException($"the backend closed the connection {remaining} bytes before the end of the body");
            await WriteAsync(connection, client, 0, read);
            remaining -= read;
        }

        // Bytes past the body mean the backend does not speak the protocol we think: do not reuse.
        return connection.Buffered == 0;
    }

    /// <summary>Copies until the backend closes the connection (which is then never reused).</summary>
    public static async ValueTask CopyToEndAsync(BackendConnection connection, Stream client)
    {
        if (connection.Buffered > 0) await WriteAsync(connection, client, connection.Start, connection.Buffered);
        while (true)
        {
            connection.Phase = LegPhase.ReadBackendBody;
            connection.Arm(connection.RequestTimeout);
            var read = await connection.Stream.ReadAsync(connection.Buffer, connection.Token);
            if (read == 0) return;
            await WriteAsync(connection, client, 0, read);
        }
    }

    /// <summary>
    /// Decodes the chunked coding (RFC 9112 section 7.1); trailer fields are checked, then dropped. A chunk line or
    /// trailer that breaks the grammar (<see cref="HttpSyntax"/>) fails the copy: where the body ends must not be a guess.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<bool> CopyChunkedAsync(BackendConnection connection, Stream client)
    {
        while (true)
        {
            connection.Phase = LegPhase.ReadBackendBody;
            var line = await ReadLineAsync(connection);
            if (!HttpSyntax.TryParseChunkLine(connection.Buffer.AsSpan(line.Start, line.Length), out var size))
            {
                throw new InvalidDataException("the backend sent an invalid chunk size or extension");
            }

            if (size == 0)
            {
                // Trailer section, then the empty line that ends the message; bounded like a head.
                var trailers = 0;
                while ((line = await ReadLineAsync(connection)).Length > 0)
                {
                    trailers += line.Length + 2;
                    if (trailers > BackendConnection.MaxHeadSize) throw new InvalidDataException("the backend's trailer section is too large");
                    if (!HttpSyntax.TrySplitField(connection.Buffer.AsSpan(line.Start, line.Length), out _, out _))
                    {
                        throw new InvalidDataException("the backend sent an invalid trailer field");
                    }
                }

                return connection.Buffered == 0;
            }

            while (size > 0)
            {
                if (connection.Buffered == 0)
                {
                    connection.Phase = LegPhase.ReadBackendBody;
                    if (await connection.FillAsync(connection.RequestTimeout) == 0) throw new IOException("the backend closed the connection inside a chunk");
                }

                var take = (int)Math.Min(connection.Buffered, size);
                await WriteAsync(connection, client, connection.Start, take);
                connection.Start += take;
                size -= take;
            }

            connection.Phase = LegPhase.ReadBackendBody;
            if ((await ReadLineAsync(connection)).Length != 0) throw new InvalidDataException("the backend sent a chunk longer than its size");
        }
    }

    // One CRLF-terminated line from the buffer (reading more as needed); returns its place without the CRLF. A bare CR
    // or LF fails at once (CVE-2025-55315 was Kestrel reading a bare LF in a chunk extension as a line end).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<(int Start, int Length)> ReadLineAsync(BackendConnection connection)
    {
        while (true)
        {
            var at = HttpSyntax.FindLineEnd(connection.Buffer.AsSpan(connection.Start, connection.Buffered));
            if (at >= 0)
            {
                var start = connection.Start;
                connection.Start += at + 2;
                return (start, at);
            }

            if (at != -1) throw new InvalidDataException("the backend sent a bare CR or LF in a chunked body");
            if (connection.Buffered > MaxChunkLine) throw new InvalidDataException("the backend sent a chunk line that is too long");
            if (await connection.FillAsync(connection.RequestTimeout) == 0) throw new IOException("the backend closed the connection inside a chunked body");
        }
    }

    // No token into Kestrel's write: a client that goes away fails the write by itself, and a slow one is bounded by
    // Kestrel's MinResponseDataRate; our cancellation callbacks then never run inside Kestrel's output locks.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask WriteAsync(BackendConnection connection, Stream client, int offset, int count)
    {
        connection.Phase = LegPhase.WriteClientBody;
        await client.WriteAsync(connection.Buffer.AsMemory(offset, count), CancellationToken.None);
        connection.Received += count;
    }
}
