using System.Collections.Concurrent;
using System.Diagnostics;

namespace Fulcrum.Bench.Ha.Lab;

/// <summary>
/// The lab's client: a few workers in the client namespace sending GET to the virtual IP back to back over keep-alive
/// connections (one HttpClient, as one application would), each request bounded by <see cref="Timeout"/>. A failed
/// request is followed by a short pause before the next, so a dead address is not hammered. Every request is
/// recorded; the loops end when stopped, at <see cref="MaxDuration"/>, or after <see cref="MaxRequests"/>.
/// </summary>
public sealed class VipClient : IAsyncDisposable
{
    public static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(10);
    public const int MaxRequests = 5_000_000;
    private static readonly TimeSpan PauseAfterFailure = TimeSpan.FromMilliseconds(10);

    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly Stopwatch _clock;
    private readonly ConcurrentQueue<RequestRecord> _records = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private int _count;

    /// <summary>
    /// A worker's keep-alive connection is replaced after this long, as a browser's idle and pool limits would. With
    /// second-chance the node that lost the virtual IP keeps answering the connections it holds (their packets are
    /// handed to it), so without renewal the client would stay on it after the master came back.
    /// </summary>
    public static readonly TimeSpan ConnectionLifetime = TimeSpan.FromSeconds(1);

    /// <param name="keepAlive">False: a new connection for every request (the anycast lab, where each connection is a flow the router hashes).</param>
    public VipClient(NetnsSockets sockets, Uri url, Stopwatch clock, int workers, TimeSpan timeout, TimeSpan pause, bool keepAlive = true)
    {
        _http = sockets.CreateHttpClient(timeout, keepAlive, lifetime: ConnectionLifetime);
        _url = url;
        _clock = clock;
        Timeout = timeout;
        Pause = pause;
        Workers = workers;
    }

    public TimeSpan Timeout { get; }

    /// <summary>Between two requests of a worker when the first succeeded.</summary>
    public TimeSpan Pause { get; }

    public int Workers { get; }

    public IReadOnlyList<RequestRecord> Records => [.. _records];

    public void Start()
    {
        for (var i = 0; i < Workers; i++) _workers.Add(Task.Run(WorkAsync));
    }

    /// <summary>Waits for a successful request answered by <paramref name="node"/> that ended after <paramref name="after"/>.</summary>
    public async Task<RequestRecord?> WaitForSuccessAsync(string node, TimeSpan after, TimeSpan timeout)
    {
        var deadline = _clock.Elapsed + timeout;
        while (_clock.Elapsed < deadline)
        {
            RequestRecord? first = null;
            foreach (var r in _records)
            {
                if (r.Ok && r.Node == node && r.End > after && (first is null || r.End < first.Value.End)) first = r;
            }

            if (first is not null) return first;
            await Task.Delay(10);
        }

        return null;
    }

    /// <summary>Waits until <paramref name="count"/> requests in a row, ending after <paramref name="after"/>, all succeeded.</summary>
    public async Task<bool> WaitForSteadyAsync(TimeSpan after, int count, TimeSpan timeout)
    {
        var deadline = _clock.Elapsed + timeout;
        while (_clock.Elapsed < deadline)
        {
            var last = _records.Where(r => r.End > after).OrderBy(r => r.End).TakeLast(count).ToList();
            if (last.Count == count && last.All(r => r.Ok)) return true;
            await Task.Delay(20);
        }

        return false;
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task WorkAsync()
    {
        var started = _clock.Elapsed;
        while (!_stop.IsCancellationRequested && _clock.Elapsed - started < MaxDuration && Interlocked.Increment(ref _count) <= MaxRequests)
        {
            var start = _clock.Elapsed;
            RequestRecord record;
            try
            {
                using var response = await _http.GetAsync(_url, _stop.Token);
                await response.Content.ReadAsByteArrayAsync(_stop.Token);
                var node = response.Headers.TryGetValues("X-Node", out var values) ? values.FirstOrDefault() : null;
                var ok = (int)response.StatusCode == 200;
                record = new RequestRecord(start, _clock.Elapsed, ok, node, ok ? null : $"status {(int)response.StatusCode}");
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                record = new RequestRecord(start, _clock.Elapsed, false, null, e is TaskCanceledException ? "timeout" : Describe(e));
            }

            _records.Enqueue(record);
            try
            {
                await Task.Delay(record.Ok ? Pause : PauseAfterFailure, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static string Describe(Exception e)
    {
        var kind = e is HttpRequestException { HttpRequestError: var error and not HttpRequestError.Unknown } ? $"{error}: " : "";
        while (e.InnerException is { } inner) e = inner;
        return kind + e.Message;
    }
}
