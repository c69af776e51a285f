namespace Fulcrum.L7.Tls;

/// <summary>
/// Watches the directories of a listener's certificate files and calls back once things settle: writers
/// (certbot, cert-manager's symlink swap, cp) touch several files in a burst, so events are debounced.
/// A reload that finds half-written files fails validation and keeps the old certificates; the next
/// event retries.
/// </summary>
internal sealed class CertificateWatcher : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(200);

    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly ITimer _timer;

    public CertificateWatcher(IEnumerable<string> files, Action reload, TimeProvider time)
    {
        _timer = time.CreateTimer(_ => reload(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        foreach (var directory in files.Select(Path.GetDirectoryName).Distinct(StringComparer.Ordinal))
        {
            if (directory is null || !Directory.Exists(directory)) continue;
            var watcher = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            watcher.Changed += OnEvent;
            watcher.Created += OnEvent;
            watcher.Renamed += OnEvent;
            watcher.Deleted += OnEvent;
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
    }

    public void Dispose()
    {
        foreach (var w in _watchers) w.Dispose();
        _timer.Dispose();
    }

    private void OnEvent(object sender, FileSystemEventArgs e) => _timer.Change(Settle, Timeout.InfiniteTimeSpan);
}
