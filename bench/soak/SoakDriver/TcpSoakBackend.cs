using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fulcrum.Bench.Soak;

/// <summary>A TCP backend of the `stream` pool: says "NAME\n" on connect, then echoes until the client's FIN.</summary>
public sealed class TcpSoakBackend : ISoakBackend
{
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly byte[] _greeting;
    private Socket? _listener;

    private TcpSoakBackend(string name, int port)
    {
        Name = name;
        Port = port;
        _greeting = Encoding.ASCII.GetBytes(name + "\n");
    }

    public string Name { get; }
    public int Port { get; }
    public Channel[] Channels { get; } = [Channel.Tcp];

    public static async Task<TcpSoakBackend> StartAsync(string name, int port)
    {
        var backend = new TcpSoakBackend(name, port);
        await backend.RestartAsync();
        return backend;
    }

    /// <summary>Stops listening and resets every open connection (linger 0), like a crashed process.</summary>
    public Task KillAsync()
    {
        Interlocked.Exchange(ref _listener, null)?.Dispose();
        foreach (var (s, _) in _open)
        {
            try
            {
                s.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Closed by its own handler meanwhile.
            }

            s.Dispose();
        }

        return Task.CompletedTask;
    }

    public async Task RestartAsync()
    {
        var listener = await Retry.BindSocketAsync(SocketType.Stream, ProtocolType.Tcp, Port);
        _listener = listener;
        _ = AcceptLoopAsync(listener);
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket s;
            try
            {
                s = await listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            _open.TryAdd(s, 0);
            _ = ServeAsync(s);
        }
    }

    private async Task ServeAsync(Socket s)
    {
        try
        {
            await s.SendAsync(_greeting, SocketFlags.None);
            var buffer = new byte[4096];
            int n;
            while ((n = await s.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await s.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
            }

            s.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Killed, or the client went away: either way this connection is over.
        }
        finally
        {
            _open.TryRemove(s, out _);
            s.Dispose();
        }
    }
}
