using System.Net.Sockets;
using System.Runtime.InteropServices;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.IO.Uring;
using Fulcrum.Core.Model;
using Fulcrum.Core.Protection;

namespace Fulcrum.L4.Tcp;

/// <summary>
/// Takes a lease from the pool and connects to its backend, with connect-timeout, retries to another backend
/// on failure (each failure released as <see cref="Outcome.ConnectFailure"/> or <see cref="Outcome.Timeout"/>
/// so passive health sees it), and queueing while every backend is at backend-max-connections.
/// </summary>
internal static class BackendConnector
{
    /// <param name="Refusal">Why there is no socket when the pool's circuit breaker closed the connection (max-pending), else Admitted.</param>
    public readonly record struct Connected(Lease Lease, PeerSocket? Socket, AdmissionDecision Refusal = AdmissionDecision.Admitted);

    /// <summary>How often a queued connection looks again even without a freed slot (a backend may come up meanwhile).</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(250);

    /// <param name="ring">
    /// The io_uring loop the caller runs on, to connect there (IORING_OP_CONNECT) with a bare descriptor and go on
    /// there; null: .NET's sockets.
    /// </param>
    public static async Task<Connected> ConnectAsync(TcpDataPlane plane, string listener, Pool pool, PickContext context, UringLoop? ring = null)
    {
        var config = pool.Config;
        var time = plane.Time;
        long queuedSince = 0;
        // The backends whose connect failed; allocated on the first failure, so a connection that connects at once
        // allocates nothing here.
        Backend[]? tried = null;
        var queued = false;
        try
        {
            for (var attempt = 0; attempt <= config.ConnectRetries;)
            {
                Lease lease;
                if (tried is not null)
                {
                    // A retry goes to another backend, as connect-retries promises. Asking the balancer again is not
                    // enough: least-connections picks the dead backend every time (its connections just ended, so it has
                    // the fewest) and a hashing balancer picks the same one, until passive health ejects it.
                    var other = pool.PickOther(context, tried.AsSpan(0, attempt));
                    if (other is null) break;
                    lease = pool.AcquireRetry(other, context, tried.AsSpan(0, attempt));
                }
                else if (!pool.TryAcquire(context, out lease))
                {
                    if (!ShouldQueue(pool)) break;
                    if (!queued && pool.Admission is { } admission)
                    {
                        // circuit-breaker.max-pending bounds this queue: past it the connection is closed at once.
                        if (!admission.TryEnterQueue()) return new Connected(default, null, AdmissionDecision.MaxPending);
                        queued = true;
                    }

                    if (queuedSince == 0) queuedSince = time.GetTimestamp();
                    var left = config.QueueTimeout - time.GetElapsedTime(queuedSince);
                    if (left <= TimeSpan.Zero) break;
                    // Taken before trying again, so a slot freed in between still wakes this wait.
                    var slotFreed = plane.SlotSignal(pool.Name).Next();
                    if (!pool.TryAcquire(context, out lease))
                    {
                        await Task.WhenAny(slotFreed, Task.Delay(left < Recheck ? left : Recheck, time)).ConfigureAwait(false);
                        continue;
                    }
                }

                if (queued)
                {
                    pool.Admission?.LeaveQueue(); // out of the queue: it holds a lease now
                    queued = false;
                }

                attempt++;
                var backend = lease.Backend;
                PeerSocket? socket = null;
                using var timeout = new CancellationTokenSource(config.ConnectTimeout, time);
                try
                {
                    var endpoint = await plane.Endpoints.ResolveAsync(backend, timeout.Token).ConfigureAwait(false);
                    // Still on the ring only when nothing above waited: the endpoint was known, the lease at hand.
                    if (ring is not null && ring.IsCurrent)
                    {
                        socket = PeerSocket.Bare(OpenBare(endpoint.AddressFamily));
                        await UringConnect.ConnectAsync(ring, socket.Value.Fd, endpoint, noDelay: true, timeout.Token).ConfigureAwait(false);
                    }
                    else
                    {
                        var runtime = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                        socket = PeerSocket.Of(runtime);
                        await runtime.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
                    }

                    return new Connected(lease, socket);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    // The connect's completion (or its failure) ran on the ring's thread: a bare descriptor closes there.
                    socket?.Close(ring);
                    var timedOut = e is OperationCanceledException;
                    lease.Release(timedOut ? Outcome.Timeout : Outcome.ConnectFailure);
                    tried ??= new Backend[config.ConnectRetries + 1];
                    tried[attempt - 1] = backend;
                    plane.OnBackendSlotFreed(pool);
                    L4Log.ConnectFailed(plane.Logger, listener, backend.Id, timedOut ? "timeout" : ((SocketException)e).SocketErrorCode.ToString());
                }
            }
        }
        finally
        {
            if (queued) pool.Admission?.LeaveQueue();
        }

        if (plane.NoBackendWarnings.Allow()) L4Log.NoBackend(plane.Logger, listener, pool.Name);
        return default;
    }

    /// <summary>A TCP socket as socket(2) makes it, close-on-exec; blocking, which the ring's operations do not mind.</summary>
    private static int OpenBare(AddressFamily family)
    {
        var fd = UringNative.Socket(family == AddressFamily.InterNetworkV6 ? UringNative.AfInet6 : UringNative.AfInet, UringNative.SockStream | UringNative.SockCloexec, 0);
        if (fd < 0) throw new SocketException(Marshal.GetLastPInvokeError());
        return fd;
    }

    // Waiting helps only when some backend is up but full; with none up, fail fast.
    private static bool ShouldQueue(Pool pool)
    {
        if (pool.Config.BackendMaxConnections <= 0 || pool.Config.OverLimit != OverLimitAction.Queue) return false;
        foreach (var b in pool.Backends)
        {
            if (b.Intent == OperatorIntent.Active && b.Health == HealthStatus.Up && !b.HasCapacity) return true;
        }

        return false;
    }
}
