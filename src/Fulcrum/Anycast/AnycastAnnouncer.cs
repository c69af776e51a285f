using Microsoft.Extensions.Logging;

namespace Fulcrum.Anycast;

/// <summary>
/// The anycast health hook (docs/gslb.md, "Anycast"): asks this node's Fulcrum `GET /healthz?require=backends` every
/// interval and keeps BIRD's static protocol that originates the anycast route enabled while it answers 200, disabled
/// otherwise, so BGP withdraws the route from the router. `rise` answers in a row announce, `fall` withdraw, as
/// HAProxy's and keepalived's checks count. A Fulcrum that drains answers 503 at once and keeps accepting for its
/// `shutdown.accept-grace`, so the route is gone before it refuses anything; one that dies refuses the check at once.
/// The desired state is sent to BIRD again every <see cref="Reassert"/>, so a BIRD that restarts (its config says
/// `disabled yes`) is brought back in line; and when this hook stops it withdraws, since nothing watches Fulcrum then.
/// </summary>
/// <param name="timeout">How long one check may take before it counts as a bad answer; null: half the interval, at least 50 ms.</param>
internal sealed class AnycastAnnouncer(Uri health, BirdControl bird, string protocol, TimeSpan interval, int rise, int fall, TimeProvider time, ILogger logger,
    TimeSpan? timeout = null)
{
    private static readonly TimeSpan Reassert = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Half the interval, at least 50 ms: a Fulcrum that hangs then counts as down at about the pace of one that refuses.
    /// A busy machine may answer a healthy /healthz slower than that (seen in the lab at 50 ms), which is what
    /// `--timeout` is for: a dead or draining Fulcrum is seen at once whatever it says (refused, or 503).
    /// </summary>
    public static TimeSpan DefaultTimeout(TimeSpan interval) => interval / 2 > TimeSpan.FromMilliseconds(50) ? interval / 2 : TimeSpan.FromMilliseconds(50);

    public async Task RunAsync(CancellationToken stop)
    {
        var checkTimeout = timeout ?? DefaultTimeout(interval);
        AnycastLog.Watching(logger, health.ToString(), interval.TotalMilliseconds, checkTimeout.TotalMilliseconds, rise, fall, bird.SocketPath, protocol);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero })
        {
            Timeout = checkTimeout,
        };
        bool? announced = null;
        var ups = 0;
        var downs = 0;
        var sentAt = DateTimeOffset.MinValue;
        var sentOk = false;
        string? lastError = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var (up, said) = await CheckAsync(http, stop);
                if (up) { ups++; downs = 0; }
                else { downs++; ups = 0; }

                var want = announced;
                if (up && ups >= rise) want = true;
                if (!up && (downs >= fall || announced is null)) want = false;
                var now = time.GetUtcNow();
                if (want is { } desired && (desired != announced || !sentOk || now - sentAt >= Reassert))
                {
                    var error = await bird.RunAsync((desired ? "enable " : "disable ") + protocol, stop);
                    sentAt = now;
                    sentOk = error is null;
                    // Once per distinct failure, not once per interval while BIRD is away.
                    if (error is not null && error != lastError) AnycastLog.BirdFailed(logger, desired ? "enable" : "disable", protocol, error);
                    lastError = error;
                    if (error is null && desired != announced)
                    {
                        if (desired) AnycastLog.Announcing(logger, protocol, said);
                        else AnycastLog.Withdrawn(logger, protocol, said);
                        announced = desired;
                    }
                }

                await Task.Delay(interval, time, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        // Stopping: nothing will watch Fulcrum any more, so the route must not outlive the hook.
        if (await bird.RunAsync("disable " + protocol, CancellationToken.None) is { } failed) AnycastLog.BirdFailed(logger, "disable", protocol, failed);
        else AnycastLog.Withdrawn(logger, protocol, "the hook stopped");
    }

    private async Task<(bool Up, string Said)> CheckAsync(HttpClient http, CancellationToken stop)
    {
        try
        {
            using var response = await http.GetAsync(health, stop);
            var body = await response.Content.ReadAsStringAsync(stop);
            return ((int)response.StatusCode == 200, $"{(int)response.StatusCode} {body.Trim()}");
        }
        catch (HttpRequestException e)
        {
            return (false, e.Message);
        }
        catch (TaskCanceledException) when (!stop.IsCancellationRequested)
        {
            return (false, $"no answer within {http.Timeout.TotalMilliseconds:0}ms");
        }
    }
}
