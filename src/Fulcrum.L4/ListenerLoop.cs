using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Core.Observability;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L4;

/// <summary>
/// One bound tcp or udp listener, as <see cref="ListenerReconciler"/> sees it: a socket, the loop that serves it,
/// and a config that a reload with the same bind swaps in place. Binding, starting, stopping and what a listener
/// keeps (its stats, its access log) are the same for both protocols and live here; a subclass says which socket
/// it wants and what its loop does with it.
/// </summary>
internal abstract class ListenerLoop
{
    private readonly TopologyStore _store;
    private readonly Func<ListenerConfig, Socket?>? _inherit;
    private readonly CancellationTokenSource _stopping = new();
    private volatile ListenerConfig _config;
    private Socket? _socket;
    private Task _loop = Task.CompletedTask;

    /// <param name="inherit">The listening socket a process that took over from another received for this listener, if any.</param>
    protected ListenerLoop(TopologyStore store, ListenerConfig config, ILogger logger, Func<ListenerConfig, Socket?>? inherit)
    {
        _store = store;
        _inherit = inherit;
        _config = config;
        Logger = logger;
        Stats = store.Listeners.For(config.Name);
        AccessLog = store.AccessLogs.For(config, store.Current.Config);
    }

    public ListenerConfig Config => _config;
    /// <summary>tcp or udp, for log lines.</summary>
    public abstract string Protocol { get; }
    public IPEndPoint? BoundEndpoint { get; private set; }
    public ILogger Logger { get; }
    /// <summary>The bound socket, for a process that takes over from this one; null before <see cref="Bind"/>.</summary>
    public Socket? Socket => _socket;
    /// <summary>This listener's counters (metrics, dashboard), kept across reloads.</summary>
    public ListenerStats Stats { get; }
    /// <summary>Where an ended connection's or session's access log line goes; null when none is configured.</summary>
    public AccessLog? AccessLog { get; private set; }

    /// <summary>Takes a reload's config for the same bind; the socket and what it serves stay.</summary>
    public virtual void Update(ListenerConfig config)
    {
        _config = config;
        AccessLog = _store.AccessLogs.For(config, _store.Current.Config);
    }

    /// <summary>
    /// Binds the socket (port 0 becomes a real port), or adopts the one inherited from the process this one took over
    /// from, which is bound already and keeps every client the kernel queued on it; throws a <see cref="SocketException"/>
    /// when it cannot.
    /// </summary>
    public IPEndPoint Bind()
    {
        var bind = new IPEndPoint(_config.Bind.Address, _config.Bind.Port);
        var inherited = _inherit?.Invoke(_config);
        var socket = inherited ?? CreateSocket(bind.AddressFamily);
        try
        {
            if (inherited is null)
            {
                // `[::]` takes IPv4 clients too, as the config's check for overlapping binds assumes (BindAddress.Overlaps).
                if (bind.AddressFamily == AddressFamily.InterNetworkV6 && bind.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
                socket.Bind(bind);
            }

            OnBound(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        BoundEndpoint = (IPEndPoint)socket.LocalEndPoint!;
        return BoundEndpoint;
    }

    public void Start() => _loop = ServeAsync(_socket!);

    /// <summary>Ends the loop's accept or receive but keeps the socket open (a udp listener still replies through it).</summary>
    protected Task StopLoopAsync()
    {
        _stopping.Cancel();
        return _loop;
    }

    /// <summary>Closes the socket under the loop's pending accept or receive; the task ends when the loop has.</summary>
    public Task StopAsync()
    {
        _stopping.Cancel();
        _socket?.Dispose();
        return _loop;
    }

    protected abstract Socket CreateSocket(AddressFamily family);

    /// <summary>After the bind, before the loop: a tcp socket starts listening here.</summary>
    protected virtual void OnBound(Socket socket)
    {
    }

    /// <summary>Accepts or receives until <paramref name="stopping"/> fires or the socket closes.</summary>
    protected abstract Task RunAsync(Socket socket, CancellationToken stopping);

    private async Task ServeAsync(Socket socket)
    {
        await RunAsync(socket, _stopping.Token).ConfigureAwait(false);
        L4Log.ListenerStopped(Logger, Protocol, Config.Name);
    }
}
