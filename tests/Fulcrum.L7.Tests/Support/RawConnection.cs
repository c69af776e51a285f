using System.Net.Sockets;
using System.Text;

namespace Fulcrum.L7.Tests.Support;

/// <summary>One accepted connection of a <see cref="RawBackend"/>.</summary>
public sealed class RawConnection(RawBackend owner, Socket socket, CancellationToken stop) : IDisposable
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private readonly MemoryStream _received = new();
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public Socket Socket => socket;

    /// <summary>Every byte read from the proxy on this connection so far (<see cref="ClearReceived"/> starts afresh).</summary>
    public byte[] Received
    {
        get
        {
            lock (_received) return _received.ToArray();
        }
    }

    public void ClearReceived()
    {
        lock (_received) _received.SetLength(0);
    }

    /// <summary>The next request (its body read by Content-Length or chunked framing), or null when the proxy closed the connection.</summary>
    public async Task<RawRequest?> ReadRequestAsync()
    {
        int headEnd;
        while ((headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (!await FillAsync())
            {
                owner.CountClosedByPeer();
                return null;
            }
        }

        var head = Encoding.Latin1.GetString(_buffer, _start, headEnd + 4);
        _start += headEnd + 4;
        var request = new RawRequest(head, []);
        if (long.TryParse(request.Header("Content-Length"), out var length)) return request with { Body = await ReadBytesAsync(length) };
        if (request.Header("Transfer-Encoding") is { } coding && coding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var body = new MemoryStream();
            while (true)
            {
                var size = Convert.ToInt64((await ReadLineAsync()).Split(';')[0], 16);
                if (size == 0)
                {
                    while ((await ReadLineAsync()).Length > 0)
                    {
                    }

                    break;
                }

                body.Write(await ReadBytesAsync(size));
                await ReadLineAsync();
            }

            return request with { Body = body.ToArray() };
        }

        return request;
    }

    public Task WriteAsync(string text) => WriteAsync(Encoding.Latin1.GetBytes(text));

    public async Task WriteAsync(byte[] bytes) => await _stream.WriteAsync(bytes, stop);

    /// <summary>Closes with a TCP reset instead of a FIN, as a crashed or overloaded server may.</summary>
    public void Reset()
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    public void Dispose() => _stream.Dispose();

    private async Task<byte[]> ReadBytesAsync(long count)
    {
        var result = new byte[count];
        var at = 0;
        while (at < count)
        {
            if (_start == _end && !await FillAsync()) throw new EndOfStreamException();
            var take = (int)Math.Min(_end - _start, count - at);
            _buffer.AsSpan(_start, take).CopyTo(result.AsSpan(at));
            _start += take;
            at += take;
        }

        return result;
    }

    private async Task<string> ReadLineAsync()
    {
        int end;
        while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
        {
            if (!await FillAsync()) throw new EndOfStreamException();
        }

        var line = Encoding.Latin1.GetString(_buffer, _start, end);
        _start += end + 2;
        return line;
    }

    private async Task<bool> FillAsync()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), stop);
        lock (_received) _received.Write(_buffer, _end, read);
        _end += read;
        return read > 0;
    }
}
