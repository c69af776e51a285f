using System.Diagnostics;
using System.Net;

namespace Fulcrum.Lab;

/// <summary>
/// A closed-loop load generator: <c>clients</c> clients each send a request, wait for the answer and
/// send the next, until the time is up or <c>maxRequests</c> were sent. Closed loop, as a pool of
/// users or of upstream workers behaves: a slow answer holds its client, so the offered load falls
/// when the balancer makes clients wait (the request rate measured is what the setup sustains).
/// </summary>
public sealed class LoadGenerator
{
    /// <summary>A request that takes longer than this counts as an error, so no client waits for ever.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly Uri _url;
    private readonly int _clients;
    private readonly TimeSpan _duration;
    private readonly int _maxRequests;
    private long _sent;
    private long _completed;
    private long _errors;

    public LoadGenerator(Uri url, int clients, TimeSpan duration, int maxRequests)
    {
        _url = url;
        _clients = clients;
        _duration = duration;
        _maxRequests = maxRequests;
    }

    public long Completed => Interlocked.Read(ref _completed);

    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Runs the clients to the end and returns every request, in no particular order.</summary>
    public async Task<List<RequestSample>> RunAsync(CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = _clients,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        using var client = new HttpClient(handler) { Timeout = RequestTimeout };
        var started = Stopwatch.GetTimestamp();
        var runs = new Task<List<RequestSample>>[_clients];
        for (var i = 0; i < _clients; i++)
        {
            runs[i] = ClientLoopAsync(client, started, cancellationToken);
        }

        var all = new List<RequestSample>();
        foreach (var samples in await Task.WhenAll(runs))
        {
            all.AddRange(samples);
        }

        return all;
    }

    private async Task<List<RequestSample>> ClientLoopAsync(HttpClient client, long started, CancellationToken cancellationToken)
    {
        var samples = new List<RequestSample>();
        // Bounded twice: by time and by the shared request count.
        while (!cancellationToken.IsCancellationRequested
            && Stopwatch.GetElapsedTime(started) < _duration
            && Interlocked.Increment(ref _sent) <= _maxRequests)
        {
            var begin = Stopwatch.GetTimestamp();
            var backend = "";
            var status = 0;
            try
            {
                using var response = await client.GetAsync(_url, cancellationToken);
                status = (int)response.StatusCode;
                if (response.Headers.TryGetValues("X-Backend", out var names))
                {
                    backend = names.First();
                }

                await response.Content.ReadAsByteArrayAsync(cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                if (cancellationToken.IsCancellationRequested) break;
            }

            var sample = new RequestSample(
                Stopwatch.GetElapsedTime(started, begin).TotalMilliseconds,
                Stopwatch.GetElapsedTime(begin).TotalMilliseconds,
                backend,
                status);
            samples.Add(sample);
            Interlocked.Increment(ref _completed);
            if (sample.IsError) Interlocked.Increment(ref _errors);
        }

        return samples;
    }
}
