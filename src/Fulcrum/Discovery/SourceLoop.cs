using Fulcrum.Core.Configuration;
using Fulcrum.Core.Discovery;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Discovery;

/// <summary>
/// Looks one source up again and again: after a good answer, when its TTL runs out, held within the pool's
/// `min-interval` and `max-interval`; after a failure, after `min-interval`, keeping the last good set meanwhile (as
/// nginx's `resolve` and Envoy's strict DNS clusters do). A `file:` source is read again as soon as its file changes,
/// and every `max-interval` in case a change was missed. Timers run on the host's TimeProvider.
/// </summary>
internal sealed class SourceLoop : IAsyncDisposable
{
    // Editors and `mv` make several events for one save: read once they are done.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(100);

    private readonly string _pool;
    private readonly IBackendLookup _lookup;
    private readonly DiscoveryConfig _config;
    private readonly TimeProvider _time;
    private readonly Action _changed;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly FileSystemWatcher? _watcher;
    private TaskCompletionSource _fileChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile IReadOnlyList<BackendConfig> _current = [];
    private Task _run = Task.CompletedTask;
    private string? _lastError;

    public SourceLoop(string pool, DiscoverySource source, IBackendLookup lookup, DiscoveryConfig config, TimeProvider time, Action changed, ILogger logger)
    {
        _pool = pool;
        Source = source;
        _lookup = lookup;
        _config = config;
        _time = time;
        _changed = changed;
        _logger = logger;
        Status = new DiscoveryStatus(source.Text);
        if (lookup is FileLookup file) _watcher = Watch(file.Path);
    }

    public DiscoverySource Source { get; }

    public DiscoveryStatus Status { get; }

    /// <summary>The last good set: empty until the first good answer.</summary>
    public IReadOnlyList<BackendConfig> Current => _current;

    /// <summary>Completes once the first lookup answered or failed.</summary>
    public Task FirstLookup => _first.Task;

    public void Start() => _run = RunAsync(_stop.Token);

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            LookupResult result;
            try
            {
                result = await _lookup.LookupAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                result = LookupResult.Failed(e.Message);
            }

            var now = _time.GetUtcNow();
            TimeSpan wait;
            if (result.Ok)
            {
                wait = Clamp(result.Ttl ?? _config.MaxInterval);
                Status.Succeeded(now, result.Backends.Count, now + wait);
                if (_lastError is not null) DiscoveryLog.Recovered(_logger, _pool, Source.Text);
                _lastError = null;
                if (!SameSet(_current, result.Backends))
                {
                    _current = result.Backends;
                    DiscoveryLog.Found(_logger, _pool, Source.Text, result.Backends.Count);
                    _changed();
                }
            }
            else
            {
                wait = _config.MinInterval;
                Status.Failed(now, result.Error!, now + wait);
                // Once per distinct error, not once per retry.
                if (_lastError != result.Error) DiscoveryLog.Failed(_logger, _pool, Source.Text, result.Error!, _current.Count, wait.TotalSeconds);
                _lastError = result.Error;
            }

            _first.TrySetResult();
            try
            {
                await WaitAsync(wait, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        _first.TrySetResult();
    }

    private TimeSpan Clamp(TimeSpan ttl) => ttl < _config.MinInterval ? _config.MinInterval : ttl > _config.MaxInterval ? _config.MaxInterval : ttl;

    private async Task WaitAsync(TimeSpan wait, CancellationToken stop)
    {
        if (_watcher is null)
        {
            await Task.Delay(wait, _time, stop);
            return;
        }

        var changed = Volatile.Read(ref _fileChanged);
        var woke = await Task.WhenAny(Task.Delay(wait, _time, stop), changed.Task);
        if (woke != changed.Task)
        {
            await woke; // throws when stopped
            return;
        }

        Interlocked.CompareExchange(ref _fileChanged, new(TaskCreationOptions.RunContinuationsAsynchronously), changed);
        await Task.Delay(Settle, _time, stop);
    }

    private FileSystemWatcher? Watch(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is null || !Directory.Exists(directory)) return null;
        return WatchedFiles.Watch(directory, [Path.GetFileName(path)], () => Volatile.Read(ref _fileChanged).TrySetResult());
    }

    private static bool SameSet(IReadOnlyList<BackendConfig> a, IReadOnlyList<BackendConfig> b) => Keys(a).SetEquals(Keys(b));

    private static HashSet<string> Keys(IReadOnlyList<BackendConfig> backends) =>
        [.. backends.Select(static x => $"{x.Address} {x.Weight} {x.Backup}")];

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _watcher?.Dispose();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
