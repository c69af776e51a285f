namespace Fulcrum.Bench.Upgrade;

/// <summary>One upgrade under load: what the load saw, and how the old process ended.</summary>
public sealed record RunResult
{
    public int Run { get; init; }
    public int OldPid { get; init; }
    public int NewPid { get; init; }
    /// <summary>From starting the new process to its "took over" line (start-up included).</summary>
    public TimeSpan TakeoverTime { get; init; }
    public required Dictionary<Channel, (long Ok, long Failed, long Refused)> Channels { get; init; }
    public long Ok => Channels.Values.Sum(c => c.Ok);
    public long Failed => Channels.Values.Sum(c => c.Failed);
    public long Refused => Channels.Values.Sum(c => c.Refused);
    public IReadOnlyList<string> FirstFailures { get; init; } = [];
    /// <summary>Lines the long stream had echoed when it ended.</summary>
    public int StreamEchoed { get; init; }
    /// <summary>The stream ended cleanly before the old process exited: it lived on there through the upgrade.</summary>
    public bool StreamOutlivedTakeover { get; init; }
    public int? OldExitCode { get; init; }
    /// <summary>Every listener and the admin API kept its address.</summary>
    public bool AddressesKept { get; init; }
    /// <summary>Problems beyond the counts (an exit code, a lost address), for the report.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    public bool Passed => Failed == 0 && Refused == 0 && StreamOutlivedTakeover && OldExitCode == 0 && AddressesKept && Problems.Count == 0;
}
