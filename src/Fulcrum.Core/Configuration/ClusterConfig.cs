namespace Fulcrum.Core.Configuration;

/// <summary>
/// The `cluster:` section (docs/ha.md, "Active-active through Redis"): instances that name the same Redis share the
/// operator's runtime changes, list each other as members, and may share rate limits (`scope: cluster`) and
/// passive-health ejections. Read once at start: a reload that changes it is applied but needs a restart to take hold.
/// </summary>
public sealed record ClusterConfig
{
    /// <summary>A StackExchange.Redis configuration string (`127.0.0.1:6379`, `redis.internal:6379,password=...`, a unix socket path).</summary>
    public required string Redis { get; init; }
    /// <summary>This instance's name among the members (default: the host name).</summary>
    public string Instance { get; init; } = Environment.MachineName;
    /// <summary>How often this instance writes its heartbeat and reads the members (default 1 s); a member is alive while its last heartbeat is at most three of these old.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>The longest a `scope: cluster` rate-limit decision waits for Redis before deciding locally (default 50 ms).</summary>
    public TimeSpan RateLimitTimeout { get; init; } = TimeSpan.FromMilliseconds(50);
    /// <summary>A passive-health ejection one instance makes is made by every instance (default false).</summary>
    public bool ShareEjections { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;

    // The configuration string may carry a password: a config written to a log must not.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Redis = ").Append(RedactedRedis).Append(", Instance = ").Append(Instance).Append(", Location = ").Append(Location);
        return true;
    }

    /// <summary>The configuration string without its password, for logs and the admin API.</summary>
    public string RedactedRedis
    {
        get
        {
            var parts = Redis.Split(',');
            for (var i = 0; i < parts.Length; i++)
            {
                if (parts[i].TrimStart().StartsWith("password=", StringComparison.OrdinalIgnoreCase)) parts[i] = "password=***";
            }

            return string.Join(',', parts);
        }
    }
}
