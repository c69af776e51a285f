using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fulcrum.L7.Tests.Hardening;

/// <summary>
/// Sends a case's bytes on a fresh connection and reads what comes back into a verdict: the statuses of the responses
/// in order (interim 1xx left out), then `+close` when the proxy closed the connection after them; `close` alone when it
/// closed without answering; `timeout` when nothing came back in time (a hang: always wrong).
/// </summary>
public static class ClientProbe
{
    /// <param name="responses">
    /// How many responses the case is due (pipelined requests): until that many came, the probe waits for the next one up
    /// to the deadline, or the close, instead of taking 300 ms of quiet for the end (a busy machine's second round trip
    /// to the backend can take longer).
    /// </param>
    public static async Task<string> VerdictAsync(IPEndPoint proxy, byte[] request, TimeSpan? deadline = null, int responses = 1)
    {
        using var socket = new Socket(proxy.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(proxy);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var timeout = new CancellationTokenSource(deadline ?? TimeSpan.FromSeconds(10));
        try
        {
            await stream.WriteAsync(request, timeout.Token);
        }
        catch (IOException)
        {
            // The proxy may close while we still send (a refused head); what it answered is still to read.
        }

        // The answer to a HEAD names its body's length but sends none: waiting for it would wait out the deadline.
        var reader = new ResponseReader(stream, timeout.Token, bodiless: request.AsSpan().StartsWith("HEAD "u8));
        var statuses = new List<int>();
        while (true)
        {
            int status;
            try
            {
                status = await reader.ReadResponseAsync();
            }
            catch (OperationCanceledException)
            {
                return statuses.Count == 0 ? "timeout" : string.Join(",", statuses);
            }
            catch (IOException)
            {
                status = -1; // reset
            }

            if (status < 0)
            {
                return statuses.Count == 0 ? "close" : string.Join(",", statuses) + "+close";
            }

            statuses.Add(status);
            if (reader.LastSaidClose)
            {
                // It announced the close: wait for it (a proxy that announces and keeps the connection open is wrong too).
                return await reader.ClosedAsync(TimeSpan.FromSeconds(5)) ? string.Join(",", statuses) + "+close" : string.Join(",", statuses) + "+open";
            }

            if (statuses.Count < responses) continue;
            if (!await reader.HasMoreAsync(TimeSpan.FromMilliseconds(300)))
            {
                return await reader.ClosedAsync(TimeSpan.Zero) ? string.Join(",", statuses) + "+close" : string.Join(",", statuses);
            }
        }
    }

    private sealed class ResponseReader(NetworkStream stream, CancellationToken cancel, bool bodiless)
    {
        private byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;
        private bool _eof;

        public bool LastSaidClose { get; private set; }

        /// <summary>The next final response's status after reading it whole; -1 when the connection ended first.</summary>
        public async Task<int> ReadResponseAsync()
        {
            while (true)
            {
                var head = await ReadHeadAsync();
                if (head is null) return -1;
                var lines = head.Split("\r\n");
                var parts = lines[0].Split(' ');
                if (parts.Length < 2 || !int.TryParse(parts[1], out var status)) return -1;
                if (status is >= 100 and < 200) continue;
                long length = 0;
                var chunked = false;
                LastSaidClose = lines[0].StartsWith("HTTP/1.0", StringComparison.Ordinal);
                foreach (var line in lines.Skip(1))
                {
                    var colon = line.IndexOf(':');
                    if (colon <= 0) continue;
                    var name = line[..colon];
                    var value = line[(colon + 1)..].Trim();
                    if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) long.TryParse(value, out length);
                    if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
                    if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) LastSaidClose = value.Contains("close", StringComparison.OrdinalIgnoreCase);
                }

                if (bodiless || status is 204 or 304) return status;
                if (chunked)
                {
                    while (true)
                    {
                        var size = Convert.ToInt64((await ReadLineAsync() ?? "0").Split(';')[0].Trim(), 16);
                        if (size == 0)
                        {
                            while (await ReadLineAsync() is { Length: > 0 })
                            {
                            }

                            break;
                        }

                        await SkipAsync(size + 2);
                    }
                }
                else
                {
                    await SkipAsync(length);
                }

                return status;
            }
        }

        public async Task<bool> HasMoreAsync(TimeSpan wait)
        {
            if (_end > _start) return true;
            return await FillAsync(wait) && _end > _start;
        }

        public async Task<bool> ClosedAsync(TimeSpan wait)
        {
            if (_eof) return true;
            if (_end > _start) return false;
            await FillAsync(wait);
            return _eof;
        }

        private async Task<string?> ReadHeadAsync()
        {
            int at;
            while ((at = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (!await FillAsync(null)) return null;
            }

            var head = Encoding.Latin1.GetString(_buffer, _start, at);
            _start += at + 4;
            return head;
        }

        private async Task<string?> ReadLineAsync()
        {
            int at;
            while ((at = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
            {
                if (!await FillAsync(null)) return null;
            }

            var line = Encoding.Latin1.GetString(_buffer, _start, at);
            _start += at + 2;
            return line;
        }

        private async Task SkipAsync(long count)
        {
            while (count > 0)
            {
                if (_end == _start && !await FillAsync(null)) return;
                var take = (int)Math.Min(count, _end - _start);
                _start += take;
                count -= take;
            }
        }

        // False at the end of the stream (or when an optional wait ran out with nothing new).
        private async Task<bool> FillAsync(TimeSpan? wait)
        {
            if (_eof) return false;
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            if (wait is { } w) limit.CancelAfter(w);
            int read;
            try
            {
                read = await stream.ReadAsync(_buffer.AsMemory(_end), limit.Token);
            }
            catch (OperationCanceledException) when (wait is not null && !cancel.IsCancellationRequested)
            {
                return false;
            }
            catch (IOException)
            {
                _eof = true; // a reset ends the connection as a close does
                return false;
            }

            if (read == 0)
            {
                _eof = true;
                return false;
            }

            _end += read;
            return true;
        }
    }
}
