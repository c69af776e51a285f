using System.Collections.Concurrent;

namespace Fulcrum.Bench.Soak;

/// <summary>
/// When each backend was killed and restarted, so a failure of work nobody can replay can be told apart: lost to a
/// kill (expected) or not (a finding).
/// </summary>
public sealed class KillLog
{
    // After a restart, health checks take up to rise x interval to bring the backend back, and until then Fulcrum may
    // still have picked it (a UDP session opened to it just before it died): failures this long after count as the
    // kill's.
    private static readonly TimeSpan Aftermath = TimeSpan.FromSeconds(5);

    private readonly ConcurrentQueue<(Channel[] Channels, TimeSpan Killed, TimeSpan Restarted)> _kills = new();
    private Channel[]? _ongoing;
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Add(Channel[] channels, TimeSpan killed, TimeSpan restarted)
    {
        _kills.Enqueue((channels, killed, restarted));
        Interlocked.Increment(ref _count);
        Volatile.Write(ref _ongoing, null);
    }

    /// <summary>Whether a kill of a backend serving <paramref name="channel"/> overlaps work from start to end.</summary>
    public bool Explains(Channel channel, TimeSpan start, TimeSpan end)
    {
        foreach (var (channels, killed, restarted) in _kills)
        {
            if (Array.IndexOf(channels, channel) >= 0 && killed <= end && start <= restarted + Aftermath) return true;
        }

        // A kill in progress is queued only at its restart.
        return Volatile.Read(ref _ongoing) is { } ongoing && Array.IndexOf(ongoing, channel) >= 0;
    }

    /// <summary>A kill in progress: it explains failures of its channels until <see cref="Add"/> records it.</summary>
    public void Begin(Channel[] channels) => Volatile.Write(ref _ongoing, channels);
}
