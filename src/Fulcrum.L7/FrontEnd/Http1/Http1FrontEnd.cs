using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.IO.Uring;
using Fulcrum.Core.Observability;
using Fulcrum.L7.Diagnostics;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Tls;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>
/// Fulcrum's own HTTP/1.1 front end for one http or https listener (`front-end: fulcrum`): accepts on the listener's
/// socket (on the io_uring loops when it has them, <see cref="UringAcceptor"/>) and serves each connection with an
/// <see cref="Http1Connection"/>, handing every request to the same handler
/// Kestrel's front end calls (<see cref="Hosting.KestrelListener"/>). Stopping follows Kestrel's: stop accepting, close
/// idle connections, let busy ones finish their response until the deadline, then cut what is left.
/// </summary>
internal sealed class Http1FrontEnd(
    Func<ListenerConfig> config, Func<ListenerTls?> tls, Func<HttpExchange, Task> handler, Action<HttpExchange>? completed,
    ListenerStats? stats, TimeProvider time, ILogger logger)
{
    /// <summary>Kestrel's default listen backlog (SocketTransportOptions.Backlog).</summary>
    private const int Backlog = 512;

    private readonly ConcurrentDictionary<Http1Connection, byte> _open = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopAccepting = new();
    private Socket? _listen;
    private Task _accepting = Task.CompletedTask;
    private UringAcceptor? _ringAccept;
    private volatile bool _closing;
    // Drained waits for this too: a connection accepted between a takeover's CloseGently and the end of accepting
    // must be served, not cut by the stop that follows a drain that looked complete.
    private volatile bool _acceptStopped;

    public ListenerConfig Config => config();
    public ListenerTls? Tls => tls();
    public Func<HttpExchange, Task> Handler => handler;
    public Action<HttpExchange>? Completed => completed;
    public TimeProvider Time => time;
    public ILogger Logger => logger;
    /// <summary>The io_uring loops connections are dealt to; null: .NET's sockets (epoll).</summary>
    public UringLoops? Loops { get; init; }
    public bool Closing => _closing;
    public int Count => _open.Count;

    /// <summary>Binds (or takes the inherited socket) and starts accepting; returns the listening socket.</summary>
    public Socket Start(IPEndPoint endpoint, Socket? inherited)
    {
        var socket = inherited;
        if (socket is null)
        {
            try
            {
                socket = Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
                socket.Listen(Backlog);
            }
            catch (Exception e) when (e is SocketException or Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                // As Kestrel reports it, so the data plane tells a taken address the same way whichever front end.
                throw new IOException($"Failed to bind to address {endpoint}: {e.Message}", e);
            }
        }
        else
        {
            // An inherited socket may be one the takeover bound for a listener the old process did not have
            // (InheritedSockets.BindTheRest), not listening yet; listen(2) again on a listening one only sets its backlog,
            // as Kestrel's transport does with the socket it is given.
            socket.Listen(Backlog);
        }

        _listen = socket;
        if (Loops is { } loops)
        {
            _ringAccept = new UringAcceptor(loops, socket, Accepted, errno => Log.AcceptFailed(logger, Config.Name, errno), time);
            _ringAccept.Start();
        }
        else
        {
            _accepting = AcceptAsync(socket);
        }

        return socket;
    }

    // On the loop that accepted: the connection starts there and stays, with its backend connections.
    private void Accepted(UringLoop loop, Socket client)
    {
        stats?.ConnectionOpened();
        var connection = new Http1Connection(this, client, loop);
        _open.TryAdd(connection, 0);
        connection.Run(0);
    }

    private async Task AcceptAsync(Socket listen)
    {
        while (!_stopAccepting.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listen.AcceptAsync(_stopAccepting.Token);
            }
            catch (Exception) when (_stopAccepting.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // a connection reset while queued (ECONNABORTED): accept the next
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            stats?.ConnectionOpened();
            var connection = new Http1Connection(this, client);
            _open.TryAdd(connection, 0);
            _ = connection.RunAsync();
        }
    }

    public void Closed(Http1Connection connection)
    {
        if (!_open.TryRemove(connection, out _)) return;
        stats?.ConnectionClosed();
        CompleteDrainIfEmpty();
    }

    private void CompleteDrainIfEmpty()
    {
        // Pairs with the stores before each call (a removal from _open, or _acceptStopped), so that the last of the
        // two to happen sees the other.
        Interlocked.MemoryBarrier();
        if (_closing && _acceptStopped && _open.IsEmpty) _drained.TrySetResult();
    }

    /// <summary>Stops accepting; the connections go on. The socket is closed here (a process that took it over has its own copy).</summary>
    public async Task StopAcceptingAsync()
    {
        _stopAccepting.Cancel();
        // The rings hold the socket while their accepts are armed: cancelled first, so the close below really closes it.
        if (_ringAccept is not null) await _ringAccept.StopAsync();
        _listen?.Dispose();
        await _accepting;
        _acceptStopped = true;
        CompleteDrainIfEmpty();
    }

    /// <summary>After a takeover: HTTP/2 connections get GOAWAY; HTTP/1.1 ones close after their next response, saying `Connection: close`.</summary>
    public void CloseGently()
    {
        _closing = true;
        // A connection that turns to HTTP/2 after this sees Closing itself (RunHttp2Async); the fence keeps the read of
        // its _http2 below after the write above, so no connection is missed by both.
        Interlocked.MemoryBarrier();
        foreach (var (connection, _) in _open) connection.CloseGently();
        CompleteDrainIfEmpty();
    }

    /// <summary>Idle connections that served a request close now, busy ones after their response (see ListenerConnections.CloseAll).</summary>
    public void CloseAll()
    {
        _closing = true;
        foreach (var (connection, _) in _open) connection.RequestClose(evenUnserved: false);
        CompleteDrainIfEmpty();
    }

    /// <summary>Done once accepting has stopped and every connection has closed, after CloseGently, CloseAll or StopAsync.</summary>
    public Task Drained => _drained.Task;

    /// <summary>Stops accepting, closes idle connections, waits for busy ones until the deadline, then cuts the rest.</summary>
    public async Task StopAsync(CancellationToken drainDeadline)
    {
        await StopAcceptingAsync();
        _closing = true;
        foreach (var (connection, _) in _open) connection.RequestClose(evenUnserved: true);
        CompleteDrainIfEmpty();
        try
        {
            await _drained.Task.WaitAsync(drainDeadline);
        }
        catch (OperationCanceledException)
        {
            foreach (var (connection, _) in _open) connection.Abort();
            // Cut connections end at once; a bounded wait keeps a stuck handler from holding the stop forever.
            await Task.WhenAny(_drained.Task, Task.Delay(TimeSpan.FromSeconds(5), time));
        }
    }
}
