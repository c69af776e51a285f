using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Fulcrum.L7.Tests.Support;

/// <summary>
/// One keep-alive HTTP/1.1 client connection on a blocking socket that sends the same GET again and again and reads
/// each answer (a <see cref="FixedAnswerBackend"/>'s, passed on), allocating nothing per request. With
/// <c>tls</c> it speaks through a synchronous SslStream (any certificate accepted), which allocates nothing per call either.
/// </summary>
public sealed class KeepAliveClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly Stream _stream;
    private readonly byte[] _request;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public KeepAliveClient(IPEndPoint proxy, string path = "/", bool tls = false)
    {
        _request = System.Text.Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: app.test\r\nUser-Agent: keep-alive-client\r\nAccept: */*\r\n\r\n");
        _socket.ReceiveTimeout = 30_000;
        _socket.SendTimeout = 30_000;
        _socket.Connect(proxy);
        _stream = new NetworkStream(_socket, ownsSocket: false);
        if (!tls) return;
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false, static (_, _, _, _) => true);
        ssl.AuthenticateAsClient("app.test");
        _stream = ssl;
    }

    /// <summary>Sends <paramref name="count"/> requests one after another; throws unless each is answered 200 with the backend's body.</summary>
    public void Run(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _stream.Write(_request);
            ReadAnswer();
        }
    }

    private void ReadAnswer()
    {
        int headEnd;
        while ((headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0) Fill();
        if (!_buffer.AsSpan(_start).StartsWith("HTTP/1.1 200 "u8)) throw new InvalidDataException("the proxy did not answer 200");
        _start += headEnd + 4;
        var body = FixedAnswerBackend.Body.Length;
        while (_end - _start < body) Fill();
        if (!_buffer.AsSpan(_start, body).SequenceEqual("ok"u8)) throw new InvalidDataException("the proxy's answer is not the backend's body");
        _start += body;
    }

    private void Fill()
    {
        if (_start == _end) _start = _end = 0;
        if (_end == _buffer.Length)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        var read = _stream.Read(_buffer.AsSpan(_end));
        if (read == 0) throw new IOException("the proxy closed the connection");
        _end += read;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
    }
}
