using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.IO.Uring;
using Fulcrum.Core.Model;
using Fulcrum.Core.Observability;
using Fulcrum.Core.Protection;
using Fulcrum.Core.Proxy;
using Fulcrum.L4.Pump;
using Fulcrum.L4.Tls;

namespace Fulcrum.L4.Tcp;

/// <summary>
/// One proxied TCP connection: optional inspection (PROXY header from a trusted upstream, TLS ClientHello
/// for SNI), a lease on a backend, then a byte relay in both directions until both sides have closed.
/// Timeouts are enforced by <see cref="TcpDataPlane"/>'s sweeper calling <see cref="Sweep"/>, which
/// aborts by closing the sockets: no timer or CancellationTokenSource per connection.
/// </summary>
internal sealed class TcpConnection : IPumpOwner
{
    private readonly TcpDataPlane _plane;
    private readonly TcpListenerLoop _listener;
    private PeerSocket _client;
    private readonly TimeProvider _time;
    /// <summary>When the connection was accepted (a <see cref="TimeProvider"/> timestamp, like every time here).</summary>
    private readonly long _accepted;
    private PeerSocket? _backend;
    private Lease _lease;
    private Pool? _pool;
    private volatile ConnectionPhase _phase = ConnectionPhase.Inspecting;
    private long _lastActivity;
    private long _drainingSince;
    private long _bytesToBackend;
    private long _bytesFromBackend;
    private long _reportedToBackend;
    private long _reportedFromBackend;
    private int _aborted;
    private Outcome _failure = Outcome.Success;
    private long _pickStamp;
    private IPEndPoint? _clientRemote;
    private long _connectedStamp;
    private PoolAdmission? _admission;
    private string? _protection;
    /// <summary>Set by an engine that must cancel its own operations before the sockets may close.</summary>
    private IPumpAbort? _pumpAbort;

    /// <param name="client">
    /// A runtime socket, or a bare descriptor when the connection was accepted on <paramref name="loop"/> and nothing
    /// in its set-up needs a socket (no inspection).
    /// </param>
    /// <param name="loop">The io_uring loop that accepted the connection, where its relay runs too; null: accepted elsewhere.</param>
    public TcpConnection(TcpDataPlane plane, TcpListenerLoop listener, PeerSocket client, UringLoop? loop = null)
    {
        Loop = loop;
        _plane = plane;
        _listener = listener;
        _client = client;
        _time = plane.Time;
        _accepted = _time.GetTimestamp();
        _lastActivity = _accepted;
    }

    public Backend? Backend => _lease.IsValid ? _lease.Backend : null;

    public UringLoop? Loop { get; }

    public async Task RunAsync()
    {
        var listener = _listener.Config;
        var sni = _listener.Sni;
        var inspects = listener.AcceptProxy || sni is not null;
        _listener.Stats.ConnectionOpened();
        // Inspection reads with the runtime's socket calls: a bare descriptor becomes a socket for it here, before the
        // plane knows the connection, so no abort from another thread sees it change.
        var wrapped = !inspects || WrapClient();
        _plane.Register(this);
        byte[]? peeked = null;
        try
        {
            if (!wrapped) return;
            // TCP_NODELAY comes with the accept: the listening socket has it (TcpListenerLoop.OnBound).
            // The access log names the client; read before the socket can close, and only when a log wants it.
            if (_listener.AccessLog is not null) _clientRemote = _client.RemoteEndPoint();
            var inspection = ConnectionInspection.None;
            if (inspects)
            {
                peeked = ArrayPool<byte>.Shared.Rent(ProxyHeaderReader.MaxLength + ClientHelloReader.MaxLength + 64);
                inspection = await ConnectionInspection.ReadAsync(_client.Socket!, listener, sni, peeked).ConfigureAwait(false);
                if (inspection.Rejection is not null)
                {
                    L4Log.Rejected(_listener.Logger, listener.Name, _client.RemoteEndPoint(), inspection.Rejection);
                    return;
                }
            }

            var poolName = inspection.Pool ?? listener.Pool;
            if (poolName is null || !_plane.Store.Current.Pools.TryGetValue(poolName, out var pool))
            {
                L4Log.Rejected(_listener.Logger, listener.Name, _client.RemoteEndPoint(), "no pool");
                return;
            }

            _pool = pool;
            if (pool.Admission is { } admission && !Admit(admission)) return;
            // Addresses only when something needs them: a getsockname and two objects saved per connection otherwise.
            var proxyProtocol = pool.Config.ProxyProtocol;
            var needsSource = pool.UsesHash || proxyProtocol != ProxyProtocolVersion.None;
            var source = inspection.Source ?? (needsSource ? _client.RemoteEndPoint() : null);
            if (needsSource && source is null) return; // reset before it could be named
            var context = pool.UsesHash ? SourceHash.Of(pool, source!) : PickContext.None;
            _phase = ConnectionPhase.Connecting;
            _pickStamp = _time.GetTimestamp();
            // On the ring that accepted it (no inspection waited), the connect goes through that ring too, unless a
            // preamble follows: that is sent with the runtime's socket calls, which want a socket they connected.
            var ring = proxyProtocol == ProxyProtocolVersion.None && inspection.ForwardLength == 0 ? Loop : null;
            var connected = await BackendConnector.ConnectAsync(_plane, listener.Name, pool, context, ring).ConfigureAwait(false);
            if (connected.Refusal != AdmissionDecision.Admitted) Refused(connected.Refusal);
            if (connected.Socket is not { } backend) return;
            _lease = connected.Lease;
            _backend = backend;
            _connectedStamp = _time.GetTimestamp();
            if (Volatile.Read(ref _aborted) != 0) return;

            if (proxyProtocol != ProxyProtocolVersion.None || inspection.ForwardLength > 0)
            {
                var destination = proxyProtocol == ProxyProtocolVersion.None ? null : inspection.Destination ?? _client.LocalEndPoint();
                await SendPreambleAsync(proxyProtocol, source, destination, peeked, inspection).ConfigureAwait(false);
            }

            if (peeked is not null)
            {
                ArrayPool<byte>.Shared.Return(peeked);
                peeked = null;
            }

            _phase = ConnectionPhase.Relaying;
            Touch();
            await _plane.PumpEngine.PumpAsync(this, _client, backend).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            // Client went away during inspection or preamble.
            if (_failure == Outcome.Success) _failure = Outcome.ClientAbort;
        }
        catch (Exception e)
        {
            L4Log.ConnectionFailed(_listener.Logger, e, listener.Name);
        }
        finally
        {
            if (peeked is not null) ArrayPool<byte>.Shared.Return(peeked);
            Close();
        }
    }

    private bool WrapClient()
    {
        if (_client.Socket is not null) return true;
        var handle = new SafeSocketHandle(_client.Fd, ownsHandle: true);
        try
        {
            _client = PeerSocket.Of(new Socket(handle));
            return true;
        }
        catch (SocketException)
        {
            // The runtime asks the descriptor what it is; a reset that early is a client gone already.
            handle.Dispose();
            _client = PeerSocket.None;
            _failure = Outcome.ClientAbort;
            return false;
        }
    }

    // circuit-breaker.max-connections (docs/protection.md): the connection holds a slot of its pool until it closes, or
    // is closed at once, as Envoy's tcp_proxy does on overflow.
    private bool Admit(PoolAdmission admission)
    {
        var decision = admission.TryOpenConnection();
        if (decision != AdmissionDecision.Admitted)
        {
            Refused(decision);
            return false;
        }

        _admission = admission;
        if (_pool!.Config.CircuitBreaker is not null) _listener.GateCounters.Allowed.Increment();
        return true;
    }

    private void Refused(AdmissionDecision reason)
    {
        var counter = _listener.GateCounters.For(reason);
        counter.Increment();
        _protection = counter.LogText;
        L4Log.Rejected(_listener.Logger, _listener.Config.Name, _clientRemote, $"pool {_pool!.Name} is at its circuit breaker's {AdmissionReasons.Name(reason)}");
    }

    /// <summary>Called by the sweeper a few times a second: timeouts, draining, and in-flight byte counts.</summary>
    public void Sweep(long now, Topology topology)
    {
        var listener = _listener.Config;
        switch (_phase)
        {
            case ConnectionPhase.Inspecting:
                if (_time.GetElapsedTime(_accepted, now) > listener.InspectTimeout) Abort(Outcome.ClientAbort);
                break;
            case ConnectionPhase.Relaying:
                if (_time.GetElapsedTime(Volatile.Read(ref _lastActivity), now) > listener.IdleTimeout
                    || (listener.TotalTimeout > TimeSpan.Zero && _time.GetElapsedTime(_accepted, now) > listener.TotalTimeout))
                {
                    Abort(Outcome.Success);
                    break;
                }

                ReportBytes(final: false);
                SweepDrain(now, topology);
                break;
        }
    }

    // A draining, maintained or removed backend keeps its open connections until the pool's drain-timeout.
    private void SweepDrain(long now, Topology topology)
    {
        var backend = _lease.Backend;
        var pool = _pool!;
        var current = topology.Pools.TryGetValue(pool.Name, out var p) ? p : null;
        var stays = current is not null && ReferenceEquals(current.Find(backend.Id), backend);
        if (stays && backend.Intent == OperatorIntent.Active)
        {
            _drainingSince = 0;
            return;
        }

        // Core's DrainState (API drain, reload removal) keeps the authoritative clock; a raw intent change
        // or a removal without one is timed from when the sweeper first saw it.
        if (_drainingSince == 0) _drainingSince = now;
        var timeout = (current ?? pool).Config.DrainTimeout;
        if (backend.Drain is { TimedOut: true } || _time.GetElapsedTime(_drainingSince, now) >= timeout) Abort(Outcome.Success);
    }

    /// <summary>
    /// Ends the connection: closes both sockets, so pending reads and writes fail and the relay ends; or, under an
    /// engine that attached, asks it to cancel its operations (the sockets close when the relay has ended).
    /// </summary>
    public void Abort(Outcome outcome)
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0) return;
        if (_failure == Outcome.Success) _failure = outcome;
        if (Volatile.Read(ref _pumpAbort) is { } pump)
        {
            pump.Abort();
            return;
        }

        _client.Abort();
        _backend?.Abort();
    }

    bool IPumpOwner.Attach(IPumpAbort abort)
    {
        // Published before _aborted is read (both full fences): an Abort either sees the engine or is seen here.
        Interlocked.Exchange(ref _pumpAbort, abort);
        return Volatile.Read(ref _aborted) == 0;
    }

    void IPumpOwner.Touch() => Touch();

    void IPumpOwner.Moved(bool toBackend, int bytes)
    {
        // One writer per direction; the sweeper reads.
        if (toBackend) Volatile.Write(ref _bytesToBackend, _bytesToBackend + bytes);
        else Volatile.Write(ref _bytesFromBackend, _bytesFromBackend + bytes);
    }

    private async Task SendPreambleAsync(ProxyProtocolVersion version, IPEndPoint? source, IPEndPoint? destination, byte[]? peeked, ConnectionInspection inspection)
    {
        // A preamble follows a connect through the runtime's sockets (RunAsync): the backend is one.
        var backend = _backend!.Value.Socket!;
        if (version != ProxyProtocolVersion.None)
        {
            var header = new byte[ProxyHeaderWriter.MaxLength];
            var n = ProxyHeaderWriter.Write(version, source!, destination!, header);
            await SendAllAsync(backend, header.AsMemory(0, n)).ConfigureAwait(false);
        }

        if (peeked is not null && inspection.ForwardLength > 0)
        {
            // The bytes we peeked at (ClientHello, early data) go on untouched.
            await SendAllAsync(backend, peeked.AsMemory(inspection.ForwardOffset, inspection.ForwardLength)).ConfigureAwait(false);
            Interlocked.Add(ref _bytesToBackend, inspection.ForwardLength);
        }
    }

    private static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    // Bytes go to the backend's stats while the connection lives (least-bandwidth must see long
    // connections), and the rest with the lease's release; each byte is counted once.
    private (long ToBackend, long FromBackend) ReportBytes(bool final)
    {
        lock (this)
        {
            var up = Volatile.Read(ref _bytesToBackend) - _reportedToBackend;
            var down = Volatile.Read(ref _bytesFromBackend) - _reportedFromBackend;
            _reportedToBackend += up;
            _reportedFromBackend += down;
            if (!final && (up | down) != 0) _lease.Backend.Stats.AddBytes(up, down, _time);
            return (up, down);
        }
    }

    private void Close()
    {
        _phase = ConnectionPhase.Closed;
        // Here nothing uses them any more: the relay has ended (or never started). On the ring's thread they close in
        // its next submission.
        _client.Close(Loop);
        _backend?.Close(Loop);
        if (_lease.IsValid)
        {
            var (up, down) = ReportBytes(final: true);
            _lease.Release(_failure, up, down);
            _plane.OnBackendSlotFreed(_pool!);
        }

        _admission?.ReleaseSlot();

        var toClient = Volatile.Read(ref _bytesFromBackend);
        var fromClient = Volatile.Read(ref _bytesToBackend);
        _listener.Stats.ConnectionClosed();
        _listener.Stats.Request(fromClient, toClient);
        if (_listener.AccessLog is { } log && log.Sampled()) log.Write(AccessLogEntryFor(fromClient, toClient));
        _plane.Unregister(this);
        _listener.OnConnectionClosed();
    }

    private AccessLogEntry AccessLogEntryFor(long fromClient, long toClient)
    {
        var now = _time.GetTimestamp();
        return new AccessLogEntry
        {
            Time = _time.GetUtcNow(),
            Listener = _listener.Config.Name,
            Protocol = "tcp",
            Client = _clientRemote?.Address,
            ClientPort = _clientRemote?.Port ?? 0,
            Pool = _pool?.Name,
            Backend = _lease.IsValid ? _lease.Backend.Id : null,
            BytesIn = fromClient,
            BytesOut = toClient,
            WaitMs = Ms(_accepted, _pickStamp),
            ConnectMs = _connectedStamp == 0 ? -1 : Ms(_pickStamp, _connectedStamp),
            FirstByteMs = -1,
            TotalMs = Ms(_accepted, now),
            Outcome = _lease.IsValid ? OutcomeNames.Of(_failure) : _protection is null ? "no-backend" : "refused",
            Protection = _protection,
        };
    }

    private double Ms(long from, long to) => to == 0 ? -1 : _time.GetElapsedTime(from, to).TotalMilliseconds;
}
