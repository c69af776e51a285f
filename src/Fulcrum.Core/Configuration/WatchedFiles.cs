namespace Fulcrum.Core.Configuration;

/// <summary>
/// Which events of a watched directory concern the files watched in it. The config and the certificates are
/// watched through their directories (a rename over a file leaves a watch on the file itself blind), so every other
/// file's writes arrive too: an access log kept beside them must neither reload them nor keep putting off a
/// debounced reload for as long as it is written.
/// </summary>
internal static class WatchedFiles
{
    /// <summary>
    /// True for an event on one of <paramref name="names"/> (written, or renamed over or away) or on a
    /// Kubernetes-style `..data` entry, which a watched path may be a symlink through.
    /// </summary>
    public static bool Concerns(FileSystemEventArgs e, IReadOnlyCollection<string> names) =>
        IsWatchedOrLink(e.Name, names) || (e is RenamedEventArgs renamed && IsWatchedOrLink(renamed.OldName, names));

    private static bool IsWatchedOrLink(string? entry, IReadOnlyCollection<string> names) =>
        entry is not null && (entry.StartsWith("..", StringComparison.Ordinal) || names.Contains(entry, StringComparer.Ordinal));
}
