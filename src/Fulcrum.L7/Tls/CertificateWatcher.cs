using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Tls;

/// <summary>
/// Watches the directories of a listener's certificate files and calls back once things settle: writers
/// (certbot, cert-manager's symlink swap, cp) touch several files in a burst, so events are debounced. Other files'
/// events in those directories are ignored (<see cref="WatchedFiles"/>).
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
        foreach (var inDirectory in files.GroupBy(Path.GetDirectoryName, StringComparer.Ordinal))
        {
            var directory = inDirectory.Key;
            if (directory is null || !Directory.Exists(directory)) continue;
            string[] names = [.. inDirectory.Select(Path.GetFileName).OfType<string>().Distinct(StringComparer.Ordinal)];
            _watchers.Add(WatchedFiles.Watch(directory, names, () => _timer.Change(Settle, Timeout.InfiniteTimeSpan)));
        }
    }

    public void Dispose()
    {
        foreach (var w in _watchers) w.Dispose();
        _timer.Dispose();
    }
}
