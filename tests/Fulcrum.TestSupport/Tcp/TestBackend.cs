using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Fulcrum.TestSupport.Tcp;

/// <summary>A TCP server on 127.0.0.1 with an OS-chosen port that runs a handler per connection.</summary>
public sealed class TestBackend : IDisposable
{
    private readonly Socket _listener;
    private readonly Func<Socket, Task> _handler;
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private int _accepted;

    public TestBackend(Func<Socket, Task> handler)
    {
        _handler = handler;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(4096);
        Endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        _ = AcceptLoopAsync();
    }

    public IPEndPoint Endpoint { get; }
    public string Address => $"127.0.0.1:{Endpoint.Port}";
    public int Accepted => Volatile.Read(ref _accepted);
    public int Open => _open.Count;

    /// <summary>Echoes every byte back and passes the client's FIN on.</summary>
    public static TestBackend Echo() => new(async s =>
    {
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await s.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            await s.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
        }

        s.Shutdown(SocketShutdown.Send);
    });

    /// <summary>Says its name on connect ("b1\n"), then echoes.</summary>
    public static TestBackend Named(string name) => new(async s =>
    {
        await s.SendAsync(System.Text.Encoding.ASCII.GetBytes(name + "\n"), SocketFlags.None);
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await s.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            await s.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
        }
    });

    /// <summary>Holds the connection open until the client closes it.</summary>
    public static TestBackend Hold() => new(async s =>
    {
        var buffer = new byte[16];
        while (await s.ReceiveAsync(buffer, SocketFlags.None) > 0)
        {
        }
    });

    /// <summary>Stops listening and resets every open connection, like a crashed process.</summary>
    public void Kill()
    {
        _listener.Dispose();
        foreach (var (s, _) in _open)
        {
            try
            {
                s.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }

            s.Dispose();
        }
    }

    public void Dispose() => Kill();

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket s;
            try
            {
                s = await _listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _open.TryAdd(s, 0);
            _ = RunAsync(s);
        }
    }

    private async Task RunAsync(Socket s)
    {
        try
        {
            await _handler(s);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            _open.TryRemove(s, out _);
            s.Dispose();
        }
    }
}
