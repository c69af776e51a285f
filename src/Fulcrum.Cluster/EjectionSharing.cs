using System.Text.Json;
using Fulcrum.Core.Cluster;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fulcrum.Cluster;

/// <summary>
/// `share-ejections: true`: a passive-health ejection made here is announced, and one announced by another member is
/// made here for the same time (<see cref="Core.Health.BackendHealth.EjectShared"/>), within this pool's max-ejected.
/// Announcements are fire-and-forget: an ejection is short-lived, so one lost while Redis is away is not replayed.
/// </summary>
internal sealed class EjectionSharing(string instance, string origin, Func<ISubscriber?> subscriber, ILogger log) : ISharedEjections
{
    private TopologyStore? _store;

    public void Attach(TopologyStore store) => _store = store;

    public void Ejected(string pool, string backend, TimeSpan duration, string reason)
    {
        if (subscriber() is not { } sub) return;
        var message = new SharedEjection(origin, instance, pool, backend, (long)duration.TotalMilliseconds, reason);
        try
        {
            sub.Publish(ClusterKeys.Ejections, JsonSerializer.Serialize(message, ClusterJsonContext.Default.SharedEjection), CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Redis away: this ejection stays here.
        }
    }

    public void OnMessage(RedisValue value)
    {
        SharedEjection? ejection;
        try
        {
            ejection = JsonSerializer.Deserialize((string)value!, ClusterJsonContext.Default.SharedEjection);
        }
        catch (JsonException e)
        {
            ClusterLog.Unreadable(log, "ejections", e.Message);
            return;
        }

        if (ejection is null || ejection.Origin == origin || _store is null) return;
        if (!_store.Current.Pools.TryGetValue(ejection.Pool, out var pool) || pool.Find(ejection.Backend) is not { } backend) return;
        var duration = TimeSpan.FromMilliseconds(ejection.Milliseconds);
        if (backend.HealthDetail.IsEjected) return;
        backend.HealthDetail.EjectShared(duration, $"{ejection.Reason}, seen by {ejection.Instance}");
        if (backend.HealthDetail.IsEjected) ClusterLog.SharedEjection(log, ejection.Pool, ejection.Backend, duration, ejection.Instance);
    }
}
