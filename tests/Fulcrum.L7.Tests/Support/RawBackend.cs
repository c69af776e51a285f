using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Tests.Support;

/// <summary>
/// A TCP backend on 127.0.0.1:0 that speaks exactly the bytes a test writes, for what a real server would not
/// send (chunked framing, interim responses, broken heads, a close mid-body). Each accepted connection runs
/// the test's handler; <see cref="RawConnection"/> reads request heads and bodies.
/// </summary>
public sealed class RawBackend : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<RawConnection, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly List<RawConnection> _accepted = [];
    private readonly Task _accepting;
    private int _acceptedCount;
    private int _closedByPeer;

    private RawBackend(Func<RawConnection, Task> handler)
    {
        _handler = handler;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _acceptedCount);

    /// <summary>What each connection received from the proxy, in accept order.</summary>
    public IReadOnlyList<byte[]> Received
    {
        get
        {
            lock (_connections) return [.. _accepted.Select(c => c.Received)];
        }
    }

    /// <summary>Forgets what was received so far; connections stay open (the proxy reuses them) and record afresh.</summary>
    public void ClearReceived()
    {
        lock (_connections)
        {
            foreach (var connection in _accepted) connection.ClearReceived();
        }
    }
    /// <summary>Connections the proxy closed (the handler saw the end of the stream while waiting for a request).</summary>
    public int ClosedByPeer => Volatile.Read(ref _closedByPeer);

    public static RawBackend Start(Func<RawConnection, Task> handler) => new(handler);

    /// <summary>Answers every request on a connection with <paramref name="respond"/>'s bytes, keeping the connection.</summary>
    public static RawBackend KeepAlive(Func<RawRequest, string> respond) => new(async connection =>
    {
        while (await connection.ReadRequestAsync() is { } request)
        {
            await connection.WriteAsync(respond(request));
        }
    });

    public PoolConfig Pool(string name, TimeSpan? requestTimeout = null) => new()
    {
        Name = name,
        Backends = [new BackendConfig { Address = Address }],
        RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30),
        Retries = new RetryConfig { Attempts = 1 },
    };

    internal void CountClosedByPeer() => Interlocked.Increment(ref _closedByPeer);

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

            Interlocked.Increment(ref _acceptedCount);
            var connection = new RawConnection(this, socket, _stop.Token);
            lock (_connections)
            {
                _accepted.Add(connection);
                _connections.Add(Task.Run(() => RunAsync(connection)));
            }
        }
    }

    private async Task RunAsync(RawConnection connection)
    {
        try
        {
            await _handler(connection);
        }
        catch (Exception)
        {
            // The proxy went away or the test ended: a raw backend just drops the connection.
        }
        finally
        {
            connection.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        Task[] running;
        lock (_connections) running = [.. _connections];
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(30));
        _stop.Dispose();
    }
}
