using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fulcrum.L7.Tests.Hardening;

/// <summary>
/// A TCP backend that keeps every byte it receives, per connection, and answers each request it can frame with a
/// small 200. The corpus reads what it kept to check that no ambiguous request ever reached a backend.
/// </summary>
public sealed class RecordingBackend : IAsyncDisposable
{
    private static readonly byte[] Answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray();

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<MemoryStream> _connections = [];
    private readonly List<Task> _running = [];
    private readonly Task _accepting;

    public RecordingBackend()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>What each connection received so far, in accept order.</summary>
    public IReadOnlyList<byte[]> Received
    {
        get
        {
            lock (_connections) return [.. _connections.Select(Copy)];
        }
    }

    /// <summary>Forgets what was received so far; connections stay open (the proxy reuses them) and record afresh.</summary>
    private static byte[] Copy(MemoryStream log)
    {
        lock (log) return log.ToArray();
    }

    public void Clear()
    {
        lock (_connections)
        {
            foreach (var log in _connections)
            {
                lock (log) log.SetLength(0);
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            var log = new MemoryStream();
            lock (_connections)
            {
                _connections.Add(log);
                _running.Add(ServeAsync(socket, log));
            }
        }
    }

    // Frames requests as Fulcrum sends them (Content-Length or chunked) just well enough to answer each one.
    private async Task ServeAsync(Socket socket, MemoryStream log)
    {
        using var stream = new NetworkStream(socket, ownsSocket: true);
        var buffer = new byte[64 * 1024];
        var pending = new List<byte>();
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0) return;
                lock (log) log.Write(buffer, 0, read);
                pending.AddRange(buffer.AsSpan(0, read));
                while (TryTakeRequest(pending))
                {
                    await stream.WriteAsync(Answer, _stop.Token);
                }
            }
        }
        catch (Exception)
        {
            // The proxy closed or reset the connection, or the test ended.
        }
    }

    private static bool TryTakeRequest(List<byte> pending)
    {
        var data = pending.ToArray();
        var headEnd = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (headEnd < 0) return false;
        var head = Encoding.Latin1.GetString(data, 0, headEnd);
        var at = headEnd + 4;
        var length = 0L;
        var chunked = false;
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) long.TryParse(value, out length);
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase)) chunked = true;
        }

        if (chunked)
        {
            while (true)
            {
                var lineEnd = data.AsSpan(at).IndexOf("\r\n"u8);
                if (lineEnd < 0) return false;
                var sizeText = Encoding.Latin1.GetString(data, at, lineEnd).Split(';')[0];
                var size = Convert.ToInt64(sizeText, 16);
                at += lineEnd + 2;
                if (size == 0)
                {
                    var end = data.AsSpan(at).IndexOf("\r\n"u8);
                    while (end > 0)
                    {
                        at += end + 2; // a trailer line
                        end = data.AsSpan(at).IndexOf("\r\n"u8);
                    }

                    if (end < 0) return false;
                    at += 2;
                    break;
                }

                if (data.Length < at + size + 2) return false;
                at += (int)size + 2;
            }
        }
        else
        {
            if (data.Length < at + length) return false;
            at += (int)length;
        }

        pending.RemoveRange(0, at);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        Task[] running;
        lock (_connections) running = [.. _running];
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(30));
        _stop.Dispose();
    }
}
