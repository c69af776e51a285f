using System.Collections.Concurrent;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.L7.Tls;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// One pool's keep-alive connections on the lean leg, one <see cref="BackendConnectionPool"/> per backend address.
/// Lives as long as the pool's connection settings (connect-timeout, tls, keepalive) stay the same across reloads, like the
/// pool's HttpClient handler; a backend that leaves the pool has its idle connections closed at once, and a
/// replaced or removed pool closes all of its idle ones. A timer closes connections idle past their time even
/// when no request comes.
/// </summary>
internal sealed class PoolConnections : IDisposable
{
    /// <summary>An idle connection is closed after this long (the pool's `keepalive.idle-timeout`).</summary>
    public TimeSpan IdleTimeout { get; init; } = KeepAliveConfig.Default.IdleTimeout;

    /// <summary>A connection is not reused after this age, so backend-side rebalancing and DNS changes are picked up (`keepalive.lifetime`).</summary>
    public TimeSpan Lifetime { get; init; } = KeepAliveConfig.Default.Lifetime;

    /// <summary>Idle connections kept per backend; more are closed when they come back (`keepalive.max-idle`).</summary>
    public int MaxIdle { get; init; } = KeepAliveConfig.Default.MaxIdle;

    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, BackendConnectionPool> _backends = new(StringComparer.Ordinal);
    private readonly ITimer _sweep;
    private volatile bool _disposed;

    /// <param name="tls">The re-encryption connector; null for plain backends.</param>
    /// <param name="refuseConnections">True when the pool re-encrypts but its CA could not be read: fail closed.</param>
    public PoolConnections(TimeSpan connectTimeout, BackendTlsConnector? tls, bool refuseConnections, TimeProvider time)
    {
        ConnectTimeout = connectTimeout;
        Tls = tls;
        RefusesConnections = refuseConnections;
        Time = time;
        _sweep = time.CreateTimer(static s => ((PoolConnections)s!).Sweep(), this, SweepEvery, SweepEvery);
    }

    public TimeSpan ConnectTimeout { get; }
    public BackendTlsConnector? Tls { get; }
    public bool RefusesConnections { get; }
    public TimeProvider Time { get; }

    /// <summary>The connections of <paramref name="backend"/> (by address, so a backend kept across reloads keeps them).</summary>
    public BackendConnectionPool For(Backend backend)
    {
        if (_backends.TryGetValue(backend.Address, out var pool)) return pool;
        pool = _backends.GetOrAdd(backend.Address, static (_, b) => new BackendConnectionPool(b.Owner, b.Backend.Host, b.Backend.Port), (Owner: this, Backend: backend));
        // Raced with Dispose: this pool must not keep connections nobody will close.
        if (_disposed) pool.Dispose();
        return pool;
    }

    /// <summary>Closes the connections of backends no longer in <paramref name="backends"/>.</summary>
    public void Retain(IEnumerable<Backend> backends)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var backend in backends) keep.Add(backend.Address);
        foreach (var (address, pool) in _backends)
        {
            if (!keep.Contains(address) && _backends.TryRemove(address, out _)) pool.Dispose();
        }
    }

    /// <summary>Idle connections kept, over all backends (for tests and diagnostics).</summary>
    public int IdleCount
    {
        get
        {
            var count = 0;
            foreach (var (_, pool) in _backends) count += pool.IdleCount;
            return count;
        }
    }

    public bool Expired(BackendConnection connection, long now) =>
        Time.GetElapsedTime(connection.Created, now) >= Lifetime
        || (connection.Reused && Time.GetElapsedTime(connection.IdleSince, now) >= IdleTimeout);

    private void Sweep()
    {
        var now = Time.GetTimestamp();
        foreach (var (_, pool) in _backends) pool.CloseExpired(now);
    }

    public void Dispose()
    {
        _disposed = true;
        _sweep.Dispose();
        foreach (var (_, pool) in _backends) pool.Dispose();
    }
}
