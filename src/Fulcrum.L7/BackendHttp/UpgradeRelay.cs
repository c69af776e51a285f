using System.Buffers;
using System.Text;
using Fulcrum.Core.Model;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// The two-way byte relay of an upgraded request (WebSocket) on Fulcrum's own front end, once the backend said 101: the
/// backend's bytes behind its head go to the client first, then each side's bytes to the other as they come. It ends
/// when the backend's side ends (its close, or an error), or when neither side sent anything for the pool's
/// request-timeout, as YARP's ActivityTimeout ends one on Kestrel's front end. The client's end of its sending
/// (a half close) is passed on to the backend, whose answer may still come.
/// </summary>
internal static class UpgradeRelay
{
    private const int ChunkSize = 16 * 1024;

    /// <summary>How the relay ended: what it counts as for the backend, bytes each way, and the backend's failure if any.</summary>
    public readonly record struct Ending(Outcome Outcome, long Sent, long Received, Exception? Failure);

    /// <param name="backend">The connection that answered 101; its token is the relay's (the client's abort cancels it).</param>
    /// <param name="client">The client's connection after the 101.</param>
    /// <param name="idleTimeout">The pool's request-timeout: the longest both sides may stay silent.</param>
    /// <param name="clientGone">Fires when the client's connection is cut.</param>
    public static async Task<Ending> RunAsync(BackendConnection backend, Stream client, TimeSpan idleTimeout, CancellationToken clientGone)
    {
        var state = new Directions();
        try
        {
            if (backend.Buffered > 0)
            {
                backend.Arm(idleTimeout);
                await client.WriteAsync(backend.Buffer.AsMemory(backend.Start, backend.Buffered), backend.Token);
                state.Received += backend.Buffered;
                backend.Start = backend.End;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            return new Ending(Outcome.ClientAbort, 0, 0, null);
        }

        backend.ReturnBuffer();
        var up = UpAsync(backend, client, idleTimeout, state);
        var down = DownAsync(backend, client, idleTimeout, state);
        await down;
        // The backend's side is over: the client's side has nothing left to go to.
        backend.Cancel();
        await up;

        var outcome = clientGone.IsCancellationRequested || state.ClientFailed ? Outcome.ClientAbort
            : state.BackendFailure is not null ? Outcome.Reset
            : Outcome.Success; // an end, or an idle relay closed by us: not the backend's fault
        return new Ending(outcome, state.Sent, state.Received, outcome == Outcome.Reset ? state.BackendFailure : null);
    }

    // Client to backend, until the client's end (passed on as the backend's end of input), a failure, or the cancel.
    private static async Task UpAsync(BackendConnection backend, Stream client, TimeSpan idleTimeout, Directions state)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    backend.Arm(idleTimeout);
                    read = await client.ReadAsync(buffer, backend.Token);
                }
                catch (Exception e) when (IsIoFailure(e))
                {
                    if (e is not OperationCanceledException)
                    {
                        // The client is gone: its backend side has no one to answer.
                        state.ClientFailed = true;
                        backend.Cancel();
                    }

                    break;
                }

                if (read == 0)
                {
                    backend.ShutdownSend();
                    break;
                }

                try
                {
                    backend.Arm(idleTimeout);
                    await backend.Stream.WriteAsync(buffer.AsMemory(0, read), backend.Token);
                    state.Sent += read;
                }
                catch (Exception e) when (IsIoFailure(e))
                {
                    if (e is not OperationCanceledException) state.BackendFailure ??= e;
                    backend.Cancel();
                    break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Backend to client, until the backend's end, a failure, or the cancel (idle, the client's abort, the other side's failure).
    private static async Task DownAsync(BackendConnection backend, Stream client, TimeSpan idleTimeout, Directions state)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    backend.Arm(idleTimeout);
                    read = await backend.Stream.ReadAsync(buffer, backend.Token);
                }
                catch (Exception e) when (IsIoFailure(e))
                {
                    if (e is not OperationCanceledException) state.BackendFailure ??= e;
                    return;
                }

                if (read == 0) return;
                try
                {
                    backend.Arm(idleTimeout);
                    await client.WriteAsync(buffer.AsMemory(0, read), backend.Token);
                    state.Received += read;
                }
                catch (Exception e) when (IsIoFailure(e))
                {
                    if (e is not OperationCanceledException) state.ClientFailed = true;
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsIoFailure(Exception e) =>
        e is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException;

    /// <summary>The value of the backend's Upgrade header in a response head, or null.</summary>
    public static string? UpgradeOf(ReadOnlySpan<byte> head, int headersStart)
    {
        var lines = head[headersStart..];
        while (lines.Length > 2)
        {
            var end = lines.IndexOf("\r\n"u8);
            if (end < 0) break;
            if (HttpSyntax.TrySplitField(lines[..end], out var name, out var value) && Ascii.EqualsIgnoreCase(name, "Upgrade"u8))
            {
                return Encoding.Latin1.GetString(value);
            }

            lines = lines[(end + 2)..];
        }

        return null;
    }

    // What the two directions learn, read once both are over.
    private sealed class Directions
    {
        public long Sent;
        public long Received;
        public bool ClientFailed;
        public Exception? BackendFailure;
    }
}
