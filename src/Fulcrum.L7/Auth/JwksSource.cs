using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Fulcrum.L7.Auth;

/// <summary>
/// One JWKS (a file or a URL) and the key set last loaded from it. Loaded at once, then again every `jwks-refresh` less
/// up to 10% jitter (so many instances do not fetch in step), and on demand when a token names an unknown `kid`, but
/// then at most once every <see cref="UnknownKidInterval"/> (a client sending made-up kids cannot turn Fulcrum into a
/// flood on the identity provider). A load that fails (unreachable, an error status, not a key set, no usable key)
/// keeps the last good set: Envoy's jwt_authn crashed on exactly that (CVE-2025-64527). Shared by every route naming the
/// same JWKS and kept across reloads that keep it (<see cref="AuthServices"/>).
/// </summary>
internal sealed class JwksSource : IDisposable
{
    public static readonly TimeSpan UnknownKidInterval = TimeSpan.FromSeconds(30);
    private const double Jitter = 0.1;

    private readonly string _location;
    private readonly bool _isUrl;
    private readonly TimeSpan _refresh;
    private readonly TimeSpan _timeout;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _disposed = new();
    private readonly object _lock = new();
    private volatile JwksKeys? _keys;
    private Task _loading = Task.CompletedTask;
    private long _lastLoadStarted;
    private int _version;
    private long _loads;
    private long _failures;

    public JwksSource(string location, bool isUrl, TimeSpan refresh, TimeSpan timeout, HttpClient http, TimeProvider time, Random random, ILogger logger)
    {
        _location = location;
        _isUrl = isUrl;
        _refresh = refresh;
        _timeout = timeout;
        _http = http;
        _time = time;
        _random = random;
        _logger = logger;
        _timer = time.CreateTimer(static s => ((JwksSource)s!).StartLoad(force: true), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        StartLoad(force: true);
    }

    /// <summary>The file path or URL, for logs.</summary>
    public string Location => _location;
    /// <summary>The last good key set; null until one loaded.</summary>
    public JwksKeys? Keys => _keys;
    /// <summary>Loads started (every one: the first, the background ones, those for an unknown kid).</summary>
    public long Loads => Interlocked.Read(ref _loads);
    /// <summary>Loads that failed and left the last good set in place.</summary>
    public long Failures => Interlocked.Read(ref _failures);
    /// <summary>The generation of the topology that last used this source (<see cref="AuthServices"/> drops the others).</summary>
    public long UsedByGeneration { get; set; }

    /// <summary>The key set, waiting for the first load when none has loaded yet (it ends within `jwks-timeout`).</summary>
    public ValueTask<JwksKeys?> GetAsync()
    {
        var keys = _keys;
        if (keys is not null) return new(keys);
        return WaitAsync(StartLoad(force: false));
    }

    /// <summary>
    /// A token names a `kid` the set lacks (the provider rotated its keys): load again unless a load started less than
    /// <see cref="UnknownKidInterval"/> ago, and give the set as it then is.
    /// </summary>
    public ValueTask<JwksKeys?> ReloadForUnknownKidAsync(string kid)
    {
        Task load;
        lock (_lock)
        {
            if (!_loading.IsCompleted) load = _loading;
            else if (_time.GetElapsedTime(_lastLoadStarted) < UnknownKidInterval) return new(_keys);
            else
            {
                AuthLog.JwksUnknownKid(_logger, _location, kid);
                load = StartLoadLocked(force: true);
            }
        }

        return WaitAsync(load);
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _timer.Dispose();
    }

    private async ValueTask<JwksKeys?> WaitAsync(Task load)
    {
        await load;
        return _keys;
    }

    // force: start a load unless one is in flight. Otherwise only when no set loaded yet and the last try is
    // UnknownKidInterval old: requests that find no keys while the provider is down do not each fetch.
    private Task StartLoad(bool force)
    {
        lock (_lock) return StartLoadLocked(force);
    }

    private Task StartLoadLocked(bool force)
    {
        if (!_loading.IsCompleted) return _loading;
        if (!force && (_keys is not null || _time.GetElapsedTime(_lastLoadStarted) < UnknownKidInterval)) return _loading;
        if (_disposed.IsCancellationRequested) return _loading;
        _lastLoadStarted = _time.GetTimestamp();
        Interlocked.Increment(ref _loads);
        return _loading = LoadAsync();
    }

    private async Task LoadAsync()
    {
        await Task.Yield(); // never on the caller's stack: a request or a timer callback
        var ok = false;
        try
        {
            var json = await ReadAsync();
            var set = new JsonWebKeySet(json);
            var keys = set.GetSigningKeys();
            if (keys.Count == 0) throw new FormatException("the key set has no usable signing key");
            var loaded = new JwksKeys(keys, Interlocked.Increment(ref _version));
            _keys = loaded;
            ok = true;
            AuthLog.JwksLoaded(_logger, _location, loaded.All.Length, loaded.Version);
        }
        catch (Exception e) when (!_disposed.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failures);
            AuthLog.JwksFailed(_logger, _location, e.Message);
        }
        catch (Exception)
        {
            return;
        }

        ScheduleNext(ok);
    }

    private async Task<string> ReadAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        timeout.CancelAfter(_timeout);
        if (!_isUrl) return await File.ReadAllTextAsync(_location, timeout.Token);
        using var response = await _http.GetAsync(_location, HttpCompletionOption.ResponseContentRead, timeout.Token);
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"status {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync(timeout.Token);
    }

    // After a failure, try again sooner (at most UnknownKidInterval), so a provider that comes back is picked up.
    private void ScheduleNext(bool ok)
    {
        var period = ok ? _refresh : TimeSpan.FromTicks(Math.Min(_refresh.Ticks, UnknownKidInterval.Ticks));
        double draw;
        lock (_random) draw = _random.NextDouble();
        var due = period * (1 - Jitter * draw);
        try
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
