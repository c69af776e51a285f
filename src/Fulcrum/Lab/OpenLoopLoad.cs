using System.Collections.Concurrent;
using System.Diagnostics;

namespace Fulcrum.Lab;

/// <summary>
/// An open-loop load generator: requests start at a fixed rate whatever happens to those before them, as independent
/// users arrive, so an overloaded balancer faces the whole offered load (a closed loop, <see cref="LoadGenerator"/>,
/// slows down with it and can never overload anything). Each request gives up after <c>deadline</c>, as a user or an
/// upstream's timeout does. Bounded by its duration and so by rate × duration requests.
/// </summary>
public sealed class OpenLoopLoad(Uri url, double rate, TimeSpan duration, TimeSpan deadline)
{
    // Requests are started in small batches: a timer of a few milliseconds is as fine as Linux gives on a busy machine.
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(5);

    private long _completed;

    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Runs the load to its end; every request's sample, a status of 0 for one that failed or passed the deadline.</summary>
    public async Task<List<RequestSample>> RunAsync(CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectTimeout = deadline,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var samples = new ConcurrentQueue<RequestSample>();
        var requests = new List<Task>();
        var max = (long)Math.Ceiling(rate * duration.TotalSeconds);
        var started = Stopwatch.GetTimestamp();
        long sent = 0;
        while (sent < max && !cancellationToken.IsCancellationRequested)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed >= duration) break;
            var due = Math.Min(max, (long)(elapsed.TotalSeconds * rate) + 1);
            for (; sent < due; sent++) requests.Add(SendAsync(client, started, samples, cancellationToken));
            await Task.Delay(Tick, cancellationToken).ConfigureAwait(false);
        }

        await Task.WhenAll(requests).ConfigureAwait(false);
        return [.. samples];
    }

    private async Task SendAsync(HttpClient client, long started, ConcurrentQueue<RequestSample> samples, CancellationToken cancellationToken)
    {
        var begin = Stopwatch.GetTimestamp();
        var status = 0;
        var backend = "";
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(deadline);
        try
        {
            using var response = await client.GetAsync(url, patience.Token).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync(patience.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            if (response.Headers.TryGetValues("X-Backend", out var names)) backend = names.First();
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            status = 0; // gave up at the deadline, or the connection failed
        }

        samples.Enqueue(new RequestSample(Stopwatch.GetElapsedTime(started, begin).TotalMilliseconds, Stopwatch.GetElapsedTime(begin).TotalMilliseconds, backend, status));
        Interlocked.Increment(ref _completed);
    }
}
