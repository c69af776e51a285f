using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Tests.Support;

/// <summary>
/// A keep-alive HTTP/1.1 backend that answers every request (a head without a body) with the same fixed bytes, on
/// blocking sockets and threads of its own, allocating nothing per request: what a test of the proxy's own allocations
/// puts behind it, so that the process's allocation count is the proxy's.
/// </summary>
public sealed class FixedAnswerBackend : IDisposable
{
    /// <summary>The answer's body.</summary>
    public const string Body = "ok";

    private static readonly byte[] Answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"u8.ToArray();

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _accepted = [];
    private volatile bool _stopped;

    private FixedAnswerBackend()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        new Thread(Accept) { IsBackground = true, Name = "fixed-answer-backend" }.Start();
    }

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}";

    public static FixedAnswerBackend Start() => new();

    public PoolConfig Pool(string name) => new()
    {
        Name = name,
        Backends = [new BackendConfig { Address = Address }],
        RequestTimeout = TimeSpan.FromSeconds(30),
    };

    private void Accept()
    {
        while (!_stopped)
        {
            Socket socket;
            try
            {
                socket = _listener.Accept();
            }
            catch (Exception)
            {
                return;
            }

            socket.NoDelay = true;
            lock (_accepted) _accepted.Add(socket);
            new Thread(() => Serve(socket)) { IsBackground = true, Name = "fixed-answer-connection" }.Start();
        }
    }

    private static void Serve(Socket socket)
    {
        var buffer = new byte[16 * 1024];
        var end = 0;
        try
        {
            while (true)
            {
                var headEnd = buffer.AsSpan(0, end).IndexOf("\r\n\r\n"u8);
                if (headEnd < 0)
                {
                    if (end == buffer.Length) return;
                    var read = socket.Receive(buffer.AsSpan(end));
                    if (read == 0) return;
                    end += read;
                    continue;
                }

                var consumed = headEnd + 4;
                buffer.AsSpan(consumed, end - consumed).CopyTo(buffer);
                end -= consumed;
                socket.Send(Answer);
            }
        }
        catch (Exception)
        {
            // The proxy closed the connection, or the test ended.
        }
        finally
        {
            socket.Dispose();
        }
    }

    public void Dispose()
    {
        _stopped = true;
        _listener.Dispose();
        lock (_accepted)
        {
            foreach (var socket in _accepted) socket.Dispose();
        }
    }
}
