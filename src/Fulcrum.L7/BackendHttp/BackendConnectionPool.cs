using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.IO.Uring;
using Fulcrum.L7.Tls;
using Fulcrum.L7.Uring;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// The idle keep-alive connections to one backend, most recently used first (the one least likely to have been
/// closed by the backend's own keep-alive timeout). Bounded in count; a connection idle longer than
/// <see cref="PoolConnections.IdleTimeout"/> or older than <see cref="PoolConnections.Lifetime"/> is closed, as
/// SocketsHttpHandler's PooledConnectionIdleTimeout and PooledConnectionLifetime do. Once disposed (its backend
/// or pool left the config) it keeps no connection: those in use are closed when their request ends. A request
/// running on an io_uring loop (the own front end's) takes and opens connections on that same loop, so the client
/// and backend sides complete on one ring: the idle connections are kept in one list per ring (0: .NET's sockets).
/// </summary>
internal sealed class BackendConnectionPool : IDisposable
{
    private readonly List<Stack<BackendConnection>> _idle = [new()];
    private readonly PoolConnections _owner;
    private readonly EndPoint _endpoint;
    private readonly DnsEndPoint _name;
    private bool _disposed;

    public BackendConnectionPool(PoolConnections owner, string host, int port)
    {
        _owner = owner;
        _name = new DnsEndPoint(host, port);
        _endpoint = IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? new IPEndPoint(ip, port) : _name;
        var name = host.Contains(':') ? "[" + host + "]" : host; // an IPv6 literal is bracketed in a Host header
        Authority = port == 80 ? name : name + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>host:port, the Host header for a request whose client sent none.</summary>
    public string Authority { get; }

    private int _idleCount;

    public int IdleCount
    {
        get
        {
            lock (_idle) return _idleCount;
        }
    }

    // The current thread's ring: 1 + the io_uring loop's index, or 0 off the loops.
    private static int CurrentRing => UringLoop.Current is { } loop ? loop.Index + 1 : 0;

    private Stack<BackendConnection> IdleOn(int ring)
    {
        while (_idle.Count <= ring) _idle.Add(new Stack<BackendConnection>());
        return _idle[ring];
    }

    /// <summary>A live idle connection with nothing unread on it, or null when a new one must be opened.</summary>
    public BackendConnection? TakeIdle()
    {
        var time = _owner.Time;
        var now = time.GetTimestamp();
        var ring = CurrentRing;
        while (true)
        {
            BackendConnection? connection;
            lock (_idle)
            {
                if (!IdleOn(ring).TryPop(out connection)) return null;
                _idleCount--;
            }

            // A connection with input waiting was closed by the backend, or holds bytes no request asked for.
            if (!_owner.Expired(connection, now) && !connection.HasInputWhileIdle()) return connection;
            connection.Dispose();
        }
    }

    /// <summary>Gives back a connection whose last response was read completely.</summary>
    public void Return(BackendConnection connection)
    {
        connection.ReturnBuffer();
        var now = _owner.Time.GetTimestamp();
        connection.Reused = true;
        connection.IdleSince = now;
        if (!_owner.Expired(connection, now))
        {
            lock (_idle)
            {
                if (!_disposed && _idleCount < _owner.MaxIdle)
                {
                    IdleOn(connection.Ring).Push(connection);
                    _idleCount++;
                    return;
                }
            }
        }

        connection.Dispose();
    }

    /// <summary>
    /// Opens a connection within the pool's connect-timeout. Throws HttpRequestException (ConnectionError) when the
    /// backend cannot be reached, TimeoutException when it did not answer in time, OperationCanceledException when
    /// <paramref name="aborted"/> fired.
    /// </summary>
    public async ValueTask<BackendConnection> ConnectAsync(CancellationToken aborted)
    {
        if (_owner.RefusesConnections)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"TLS to {Authority} is not set up: the pool's tls.ca could not be read");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var connectTimeout = _owner.ConnectTimeout;
        if (connectTimeout > TimeSpan.Zero && connectTimeout != Timeout.InfiniteTimeSpan) timeout.CancelAfter(connectTimeout);
        try
        {
            Stream stream;
            Socket? socket;
            if (_owner.Tls is null && UringLoop.Current is { } loop && _endpoint is IPEndPoint address)
            {
                // On a loop (the own front end's request): connect on its ring and stay there. TLS and names to
                // resolve take .NET's sockets below.
                stream = await UringStream.ConnectAsync(loop, address, timeout.Token).ConfigureAwait(false);
                socket = null;
            }
            else if (_owner.Tls is { } tls)
            {
                (stream, socket) = await tls.ConnectWithSocketAsync(_name, timeout.Token).ConfigureAwait(false);
            }
            else
            {
                socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(_endpoint, timeout.Token).ConfigureAwait(false);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

                stream = new NetworkStream(socket, ownsSocket: true);
            }

            return new BackendConnection(stream, socket, _owner.Time.GetTimestamp(), _owner.Time);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            throw new TimeoutException($"connecting to {Authority} took longer than the pool's connect-timeout ({connectTimeout.TotalMilliseconds:0} ms)");
        }
        catch (Exception e) when (e is not OperationCanceledException and not HttpRequestException)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"cannot connect to {Authority}: {e.Message}", e);
        }
    }

    /// <summary>Closes idle connections past their idle timeout or lifetime (the pool's sweep timer).</summary>
    public void CloseExpired(long now)
    {
        List<BackendConnection>? expired = null;
        lock (_idle)
        {
            if (_idleCount == 0) return;
            foreach (var idle in _idle)
            {
                if (idle.Count == 0) continue;
                var keep = new List<BackendConnection>(idle.Count);
                while (idle.TryPop(out var connection))
                {
                    if (_owner.Expired(connection, now)) (expired ??= []).Add(connection);
                    else keep.Add(connection);
                }

                // Popped newest first: push back oldest first so the newest stays on top.
                for (var i = keep.Count - 1; i >= 0; i--) idle.Push(keep[i]);
            }

            _idleCount -= expired?.Count ?? 0;
        }

        if (expired is not null)
        {
            foreach (var connection in expired) connection.Dispose();
        }
    }

    public void Dispose()
    {
        var idle = new List<BackendConnection>();
        lock (_idle)
        {
            _disposed = true;
            foreach (var stack in _idle)
            {
                idle.AddRange(stack);
                stack.Clear();
            }

            _idleCount = 0;
        }

        foreach (var connection in idle) connection.Dispose();
    }
}
