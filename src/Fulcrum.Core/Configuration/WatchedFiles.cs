namespace Fulcrum.Core.Configuration;

/// <summary>
/// Watches files through their directory and calls back only for events that concern them. The config, the
/// certificates and `file:` discovery sources are watched this way: a rename over a file (the safe way to rewrite it)
/// leaves a watch on the file itself blind, and a Kubernetes volume's update renames a new `..data` link over the old
/// one without touching the file's name. Every other file's events in the directory are dropped here: an access log
/// kept beside a watched file must neither reload it nor keep putting off a debounced reload for as long as it is
/// written.
/// </summary>
internal static class WatchedFiles
{
    /// <summary>A running watcher of <paramref name="directory"/> that calls <paramref name="changed"/> for events on <paramref name="names"/>.</summary>
    public static FileSystemWatcher Watch(string directory, IReadOnlyCollection<string> names, Action changed)
    {
        var watcher = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        FileSystemEventHandler onEvent = (_, e) =>
        {
            if (Concerns(e, names)) changed();
        };
        watcher.Changed += onEvent;
        watcher.Created += onEvent;
        watcher.Deleted += onEvent;
        watcher.Renamed += (sender, e) => onEvent(sender, e);
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    /// <summary>
    /// True for an event on one of <paramref name="names"/> (written, or renamed over or away) or on a
    /// Kubernetes-style `..data` entry, which a watched path may be a symlink through.
    /// </summary>
    private static bool Concerns(FileSystemEventArgs e, IReadOnlyCollection<string> names) =>
        IsWatchedOrLink(e.Name, names) || (e is RenamedEventArgs renamed && IsWatchedOrLink(renamed.OldName, names));

    private static bool IsWatchedOrLink(string? entry, IReadOnlyCollection<string> names) =>
        entry is not null && (entry.StartsWith("..", StringComparison.Ordinal) || names.Contains(entry, StringComparer.Ordinal));
}
