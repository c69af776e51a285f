using System.Collections.Immutable;
using System.Text.Json;
using Fulcrum.Core.Cluster;
using StackExchange.Redis;

namespace Fulcrum.Cluster;

/// <summary>
/// The members hash: each instance writes its heartbeat there and reads everyone's, once a heartbeat. A member is
/// alive while its last heartbeat is at most three heartbeats old; one silent for <see cref="Forgotten"/> is removed,
/// so a member that died is listed (as not alive) long enough for an operator to see it go.
/// </summary>
internal sealed class Membership(string instance, string origin, TimeSpan heartbeat, TimeProvider time)
{
    /// <summary>How long a silent member stays listed.</summary>
    public static readonly TimeSpan Forgotten = TimeSpan.FromMinutes(5);

    private readonly long _started = time.GetUtcNow().ToUnixTimeMilliseconds();
    private volatile Seen _seen = new([], time.GetUtcNow());

    /// <summary>
    /// The members as last read, this one marked, alive as of that read: while Redis is away they stay as last seen,
    /// which is what a `scope: cluster` limit divides by meanwhile.
    /// </summary>
    public ImmutableArray<ClusterMember> Members
    {
        get
        {
            var (seen, now) = _seen;
            var members = ImmutableArray.CreateBuilder<ClusterMember>(seen.Length);
            foreach (var m in seen)
            {
                var last = DateTimeOffset.FromUnixTimeMilliseconds(m.Heartbeat);
                members.Add(new ClusterMember(m.Instance, last, DateTimeOffset.FromUnixTimeMilliseconds(m.Started),
                    Alive: now - last <= heartbeat * 3, Self: m.Instance == instance));
            }

            members.Sort(static (a, b) => string.CompareOrdinal(a.Instance, b.Instance));
            return members.MoveToImmutable();
        }
    }

    /// <summary>Members alive at the last heartbeat that reached Redis (at least this one): what local fallbacks divide by.</summary>
    public int AliveAtLastBeat { get; private set; } = 1;

    /// <summary>Writes this instance's heartbeat, reads every member's and the runtime's version and epoch, in one round trip.</summary>
    public async Task<(long? Version, string? Epoch)> BeatAsync(IDatabase db)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var self = new MemberHeartbeat(instance, origin, _started, now);
        var batch = db.CreateBatch();
        var write = batch.HashSetAsync(ClusterKeys.Members, instance, JsonSerializer.Serialize(self, ClusterJsonContext.Default.MemberHeartbeat));
        var read = batch.HashGetAllAsync(ClusterKeys.Members);
        var version = batch.StringGetAsync(ClusterKeys.Version);
        var epoch = batch.StringGetAsync(ClusterKeys.Epoch);
        batch.Execute();
        await Task.WhenAll(write, read, version, epoch).ConfigureAwait(false);

        var seen = new List<MemberHeartbeat>();
        List<RedisValue>? gone = null;
        foreach (var entry in read.Result)
        {
            if (Read(entry.Value) is not { } member) continue;
            if (now - member.Heartbeat > Forgotten.TotalMilliseconds) (gone ??= []).Add(entry.Name);
            else seen.Add(member);
        }

        _seen = new Seen([.. seen], DateTimeOffset.FromUnixTimeMilliseconds(now));
        var alive = 0;
        foreach (var m in seen)
        {
            if (now - m.Heartbeat <= heartbeat.TotalMilliseconds * 3) alive++;
        }

        AliveAtLastBeat = Math.Max(1, alive);
        if (gone is not null) await db.HashDeleteAsync(ClusterKeys.Members, [.. gone]).ConfigureAwait(false);
        return ((long?)version.Result, (string?)epoch.Result);
    }

    /// <summary>Leaves the hash on a clean stop, so the others stop counting this instance at once.</summary>
    public Task LeaveAsync(IDatabase db) => db.HashDeleteAsync(ClusterKeys.Members, instance);

    private sealed record Seen(MemberHeartbeat[] Members, DateTimeOffset At);

    private static MemberHeartbeat? Read(RedisValue value)
    {
        try
        {
            return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize((string)value!, ClusterJsonContext.Default.MemberHeartbeat);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
