using Microsoft.Extensions.Logging;

namespace Fulcrum.Cluster;

/// <summary>The cluster's log events (ids 8000-8099).</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(8000, LogLevel.Information, "cluster: instance {Instance} shares state through redis {Redis}")]
    public static partial void Joining(ILogger logger, string instance, string redis);

    [LoggerMessage(8001, LogLevel.Information, "cluster: redis reachable; caught up ({Entries} runtime changes known, {Members} members alive)")]
    public static partial void Reachable(ILogger logger, int entries, int members);

    [LoggerMessage(8002, LogLevel.Warning, "cluster: redis unreachable ({Reason}); serving on the last known state, local rate limits divided by {Members} members")]
    public static partial void Unreachable(ILogger logger, string reason, int members);

    [LoggerMessage(8003, LogLevel.Information, "cluster: applied {Kind} of {Pool}/{Backend} from {Origin}")]
    public static partial void Applied(ILogger logger, string kind, string pool, string backend, string origin);

    [LoggerMessage(8004, LogLevel.Debug, "cluster: {Kind} of {Pool}/{Backend} from {Origin} does not apply here: {Reason}")]
    public static partial void NotApplied(ILogger logger, string kind, string pool, string backend, string origin, string reason);

    [LoggerMessage(8005, LogLevel.Information, "cluster: redis had lost the runtime state; wrote back the {Entries} changes this instance knows")]
    public static partial void Reseeded(ILogger logger, int entries);

    [LoggerMessage(8006, LogLevel.Warning, "cluster: redis did not answer at start ({Reason}); serving the file's state until it does")]
    public static partial void NotReachableAtStart(ILogger logger, string reason);

    [LoggerMessage(8007, LogLevel.Information, "cluster: ejected {Pool}/{Backend} for {Duration} on {Instance}'s word")]
    public static partial void SharedEjection(ILogger logger, string pool, string backend, TimeSpan duration, string instance);

    [LoggerMessage(8008, LogLevel.Warning, "cluster: an unreadable message on {Channel}: {Reason}")]
    public static partial void Unreadable(ILogger logger, string channel, string reason);
}
