using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Hosting;

/// <summary>
/// Reloads the config file into the <see cref="TopologyStore"/> on SIGHUP, when the file changes on
/// disk, or when asked (the admin API). A file with errors is logged line by line and never replaces
/// the running config. Reloads are serialized, so generations are applied in order.
/// </summary>
/// <remarks>
/// The watcher observes the whole directory, not just the file name: editors save by writing a
/// temporary file and renaming it over the config, and Kubernetes swaps a `..data` symlink, neither of
/// which is a write to the file itself; events about other files are ignored. Events are debounced,
/// and a reload happens only when the file's bytes differ from the last ones loaded, so a burst of
/// events or a `touch` does not make a generation.
/// </remarks>
public sealed class ConfigReloader : IDisposable
{
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(300);

    private readonly Lock _gate = new();
    private readonly TopologyStore _store;
    private readonly ILogger _log;
    private readonly Timer _debounce;
    /// <summary>The config's own name in its folder: the watcher's events about other names are ignored.</summary>
    private readonly string _fileName;
    private FileSystemWatcher? _watcher;
    private PosixSignalRegistration? _sighup;
    private byte[]? _lastContentHash;
    private bool _started;
    private bool _signalWhileStarting;
    private bool _disposed;

    /// <param name="handleSighup">
    /// Take SIGHUP from construction on: one that arrives before <see cref="Start"/> is remembered and
    /// served then, rather than ending the process (the default action) or racing the planes' start.
    /// </param>
    public ConfigReloader(string path, TopologyStore store, ILogger<ConfigReloader> log, TimeSpan? debounce = null, bool handleSighup = true)
    {
        Path = path;
        FullPath = System.IO.Path.GetFullPath(path);
        _fileName = System.IO.Path.GetFileName(FullPath);
        _store = store;
        _log = log;
        Debounce = debounce ?? DefaultDebounce;
        _debounce = new Timer(_ => ReloadIfChanged(), null, Timeout.Infinite, Timeout.Infinite);
        if (handleSighup && !OperatingSystem.IsWindows())
        {
            _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSighup);
        }
    }

    /// <summary>The path as the user gave it; config errors name it this way.</summary>
    public string Path { get; }

    public string FullPath { get; }

    public TimeSpan Debounce { get; }

    /// <summary>Raised before every reload attempt, before the file is read.</summary>
    public event Action<ReloadTrigger>? Reloading;

    /// <summary>Raised after every reload attempt, applied or rejected.</summary>
    public event Action<ReloadOutcome>? Reloaded;

    /// <summary>Starts serving SIGHUP and, when <paramref name="watchFile"/>, changes of the file.</summary>
    public void Start(bool watchFile = true)
    {
        bool signalled;
        lock (_gate)
        {
            _lastContentHash = HashContent();
            _started = true;
            signalled = _signalWhileStarting;
        }

        if (watchFile)
        {
            StartWatcher();
        }

        if (signalled)
        {
            ThreadPool.QueueUserWorkItem(static self => self.ReloadSafely(ReloadTrigger.Signal), this, preferLocal: false);
        }
    }

    /// <summary>Loads the file and applies it when valid; the running config stays when it is not.</summary>
    public ReloadOutcome Reload(ReloadTrigger trigger)
    {
        lock (_gate)
        {
            _lastContentHash = HashContent();
            return LoadAndApply(trigger);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _sighup?.Dispose();
        _watcher?.Dispose();
        _debounce.Dispose();
    }

    private void OnSighup(PosixSignalContext context)
    {
        // Without Cancel the runtime's default for SIGHUP ends the process.
        context.Cancel = true;
        lock (_gate)
        {
            if (!_started)
            {
                _signalWhileStarting = true;
                return;
            }
        }

        ThreadPool.QueueUserWorkItem(static self => self.ReloadSafely(ReloadTrigger.Signal), this, preferLocal: false);
    }

    private void StartWatcher()
    {
        var directory = System.IO.Path.GetDirectoryName(FullPath)!;
        try
        {
            _watcher = WatchedFiles.Watch(directory, [_fileName], OnConfigEvent);
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            HostLog.WatchUnavailable(_log, Path, e.Message);
        }
    }

    private void OnConfigEvent()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _debounce.Change(Debounce, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>What the debounced watcher runs: a reload only when the file's bytes changed since the last load.</summary>
    /// <returns>The reload's outcome, or null when nothing was loaded.</returns>
    internal ReloadOutcome? ReloadIfChanged()
    {
        try
        {
            lock (_gate)
            {
                if (_disposed) return null;
                var hash = HashContent();
                if (hash is null || (_lastContentHash is not null && hash.AsSpan().SequenceEqual(_lastContentHash)))
                {
                    // Missing (mid-rename) or same bytes: nothing to do; the next event will come.
                    HostLog.ReloadSkippedUnchanged(_log, Path);
                    return null;
                }

                _lastContentHash = hash;
                return LoadAndApply(ReloadTrigger.FileChange);
            }
        }
        catch (Exception e)
        {
            HostLog.ReloadFailed(_log, e.Message, e);
            return null;
        }
    }

    private void ReloadSafely(ReloadTrigger trigger)
    {
        try
        {
            Reload(trigger);
        }
        catch (Exception e)
        {
            HostLog.ReloadFailed(_log, e.Message, e);
        }
    }

    private ReloadOutcome LoadAndApply(ReloadTrigger trigger)
    {
        Reloading?.Invoke(trigger);
        var result = ConfigFiles.Load(Path);
        ReloadOutcome outcome;
        if (result.IsValid)
        {
            var topology = _store.Apply(result.Config!);
            outcome = new ReloadOutcome(trigger, topology.Generation, []);
            HostLog.ReloadApplied(_log, topology.Generation, Path, trigger);
        }
        else
        {
            var errors = result.Errors.IsEmpty
                ? [new ConfigError(new SourceLocation(Path, 0, 0), "invalid config")]
                : result.Errors;
            foreach (var error in errors)
            {
                HostLog.ConfigError(_log, error.Location.ToString(), error.Message);
            }

            outcome = new ReloadOutcome(trigger, _store.Current.Generation, errors);
            HostLog.ReloadRejected(_log, errors.Length, Path, trigger, outcome.Generation);
        }

        Reloaded?.Invoke(outcome);
        return outcome;
    }

    private byte[]? HashContent()
    {
        try
        {
            return SHA256.HashData(File.ReadAllBytes(FullPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
