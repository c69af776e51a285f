using System.Net.Sockets;
using Fulcrum.Core.Cluster;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fulcrum.Cluster;

/// <summary>
/// This instance's membership of a cluster (docs/ha.md, "Active-active through Redis"): the connection to Redis, a
/// heartbeat that keeps the members list and catches up with the shared state, the operator's runtime changes shared
/// both ways (<see cref="RuntimeStateSync"/>), `scope: cluster` rate limits (<see cref="RedisRateLimits"/>) and, when
/// asked, shared ejections. Redis is never on the request path except for `scope: cluster` limits, which decide
/// locally when it is slow or away. While Redis is away this instance serves on its last known state and says so.
/// </summary>
public sealed class RedisCluster : IClusterView, IAsyncDisposable
{
    /// <summary>The longest start waits for Redis before serving the file's state alone.</summary>
    public static readonly TimeSpan StartWait = TimeSpan.FromSeconds(5);

    private readonly ClusterConfig _config;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Reachability _reachability;
    private readonly Membership _membership;
    private readonly RuntimeStateSync _runtime;
    private readonly RedisRateLimits _rateLimits;
    private readonly EjectionSharing? _ejections;
    private readonly CancellationTokenSource _stopping = new();
    private ConnectionMultiplexer? _redis;
    private Task _heartbeat = Task.CompletedTask;
    private long _lastSyncTicks; // UTC ticks of the last heartbeat that caught up; 0 before the first
    private int _beating;

    public RedisCluster(ClusterConfig config, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _config = config;
        _time = time;
        _log = loggerFactory.CreateLogger("Fulcrum.Cluster");
        // A process is one origin: a restarted instance keeps its name but is a new writer, so it replays everything.
        var origin = $"{config.Instance}/{Guid.NewGuid():N}";
        _reachability = new Reachability(time);
        _membership = new Membership(config.Instance, origin, config.Heartbeat, time);
        _runtime = new RuntimeStateSync(origin, time, _log) { Kick = WriteChangesAsync, Missed = () => _ = BeatAsync() };
        _rateLimits = new RedisRateLimits(() => _redis?.GetDatabase(), _reachability, () => _membership.AliveAtLastBeat, config.RateLimitTimeout);
        if (config.ShareEjections) _ejections = new EjectionSharing(config.Instance, origin, () => _reachability.Reachable ? _redis?.GetSubscriber() : null, _log);
    }

    /// <summary>For `scope: cluster` rate limits (BalancerServices.SharedRateLimits).</summary>
    public ISharedRateLimits RateLimits => _rateLimits;

    /// <summary>For shared ejections (BalancerServices.SharedEjections); null unless `share-ejections: true`.</summary>
    public ISharedEjections? Ejections => _ejections;

    /// <summary>Where the admin API's operations tell their changes.</summary>
    public IRuntimeChangeSink Changes => _runtime;

    public ClusterStatus Status => new(_config.Instance, _config.RedactedRedis, _reachability.Reachable, _reachability.Since,
        Volatile.Read(ref _lastSyncTicks) is var t && t == 0 ? null : new DateTimeOffset(t, TimeSpan.Zero),
        _reachability.Outages, _membership.Members, _rateLimits.Fallbacks);

    /// <summary>The store whose backends the shared changes apply to; before <see cref="StartAsync"/>.</summary>
    public void Attach(TopologyStore store)
    {
        _runtime.Attach(store);
        _ejections?.Attach(store);
    }

    /// <summary>
    /// Connects, subscribes and catches up (a restarted instance comes up with the cluster's drains in force) before
    /// the traffic planes start; waits at most <see cref="StartWait"/>, then serves the file's state until Redis answers.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ClusterLog.Joining(_log, _config.Instance, _config.RedactedRedis);
        var options = Options(_config);
        _redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        _redis.ConnectionFailed += (_, e) => Down(e.FailureType.ToString());
        var subscriber = _redis.GetSubscriber();
        try
        {
            await subscriber.SubscribeAsync(ClusterKeys.Changes, (_, message) => _runtime.OnMessage(message)).ConfigureAwait(false);
            if (_ejections is { } ejections) await subscriber.SubscribeAsync(ClusterKeys.Ejections, (_, m) => ejections.OnMessage(m)).ConfigureAwait(false);
        }
        catch (RedisException)
        {
            // Not connected yet: StackExchange.Redis subscribes once it connects.
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(StartWait);
        while (!_reachability.Reachable && !wait.IsCancellationRequested)
        {
            await BeatAsync().ConfigureAwait(false);
            if (!_reachability.Reachable) await Task.Delay(TimeSpan.FromMilliseconds(100), _time, CancellationToken.None).ConfigureAwait(false);
        }

        if (!_reachability.Reachable) ClusterLog.NotReachableAtStart(_log, "no answer within " + StartWait.TotalSeconds + " s");
        _heartbeat = HeartbeatLoopAsync(_stopping.Token);
    }

    /// <summary>Stops the heartbeat and leaves the members list, so the others stop counting this instance at once.</summary>
    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _heartbeat.ConfigureAwait(false);
        if (_redis is { IsConnected: true } redis)
        {
            try
            {
                await _membership.LeaveAsync(redis.GetDatabase()).WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Its heartbeat goes stale instead.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_redis is { } redis) await redis.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task HeartbeatLoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_config.Heartbeat, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false)) await BeatAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    // One heartbeat: write the heartbeat, read the members, the version and the epoch, catch up, write what changed here.
    // Reachable only once all of it worked, so "reachable" means "in step".
    private async Task BeatAsync()
    {
        if (_redis is not { } redis || Interlocked.Exchange(ref _beating, 1) == 1) return;
        try
        {
            var db = redis.GetDatabase();
            var limit = _config.Heartbeat < TimeSpan.FromSeconds(2) ? TimeSpan.FromSeconds(2) : _config.Heartbeat;
            // Read first, so a Redis that lost its state is noticed before this instance's own writes refill it;
            // changes made here during an outage are newer than what the read brings, and are written after it.
            var (version, epoch) = await _membership.BeatAsync(db).WaitAsync(limit).ConfigureAwait(false);
            await _runtime.CatchUpAsync(db, version, epoch).WaitAsync(limit).ConfigureAwait(false);
            await _runtime.WritePendingAsync(db).WaitAsync(limit).ConfigureAwait(false);
            Volatile.Write(ref _lastSyncTicks, _time.GetUtcNow().UtcTicks);
            _runtime.Reachable = true;
            if (_reachability.MarkUp()) ClusterLog.Reachable(_log, _runtime.Known, Status.AliveMembers);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or SocketException)
        {
            Down(e.GetType().Name);
        }
        finally
        {
            Volatile.Write(ref _beating, 0);
        }
    }

    private void Down(string reason)
    {
        _runtime.Reachable = false;
        if (_reachability.MarkDown()) ClusterLog.Unreachable(_log, reason, Status.AliveMembers);
    }

    // A change made here goes to Redis at once when it answers; otherwise the heartbeat writes it once Redis is back.
    private async Task WriteChangesAsync()
    {
        if (!_reachability.Reachable || _redis is not { } redis) return;
        try
        {
            await _runtime.WritePendingAsync(redis.GetDatabase()).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Down(e.GetType().Name);
        }
    }

    private ConfigurationOptions Options(ClusterConfig config)
    {
        // A path is a unix socket; anything else is StackExchange.Redis's own configuration string.
        var options = config.Redis.StartsWith('/')
            ? new ConfigurationOptions { EndPoints = { new UnixDomainSocketEndPoint(config.Redis) } }
            : ConfigurationOptions.Parse(config.Redis);
        options.AbortOnConnectFail = false;            // start without Redis; keep trying
        options.BacklogPolicy = BacklogPolicy.FailFast; // while Redis is away, fail at once rather than queue
        options.ReconnectRetryPolicy = new LinearRetry(500);
        options.ConnectTimeout = (int)Math.Min(options.ConnectTimeout, 2000);
        options.ClientName ??= "fulcrum-" + config.Instance;
        return options;
    }
}
