using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Health;

/// <summary>
/// A pool's retry budget, after Envoy's (budget_percent 20%, min_retry_concurrency 3): retries in flight may be
/// at most `budget` of the pool's requests in flight, and `min-retries` are always allowed. So when most requests
/// fail, retries add at most a fifth more load instead of doubling it.
/// </summary>
public sealed class RetryBudget
{
    private readonly Pool _pool;
    private long _inFlight;
    private long _started;

    internal RetryBudget(Pool pool) => _pool = pool;

    /// <summary>Retries of this pool in flight now.</summary>
    public long InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Retries this budget allowed since the pool was built (a reload that rebuilds the pool starts again at 0).</summary>
    public long Started => Volatile.Read(ref _started);

    /// <summary>Takes one retry from the budget; call <see cref="End"/> when the retry finished. False when spent.</summary>
    public bool TryBegin()
    {
        var config = _pool.Config.Retries;
        long active = 0;
        foreach (var b in _pool.Backends) active += b.Stats.Active;
        var allowed = Math.Max(config.MinRetries, (long)(config.Budget * active));
        if (Interlocked.Increment(ref _inFlight) <= allowed)
        {
            Interlocked.Increment(ref _started);
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    public void End() => Interlocked.Decrement(ref _inFlight);

    /// <summary>True when <paramref name="config"/> lets a failed attempt be tried again on another backend.</summary>
    /// <param name="outcome">How the attempt ended.</param>
    /// <param name="status">The backend's status when it answered, else 0.</param>
    /// <param name="idempotent">The method is safe to repeat (RFC 9110 section 9.2.2).</param>
    /// <param name="attempt">Attempts made so far, the failed one included.</param>
    public static bool Allows(RetryConfig config, Outcome outcome, int status, bool idempotent, int attempt)
    {
        if (attempt >= config.Attempts) return false;
        foreach (var on in config.On)
        {
            switch (on)
            {
                case RetryOn.ConnectFailure when outcome == Outcome.ConnectFailure:
                case RetryOn.Status502 when idempotent && status == 502:
                case RetryOn.Status503 when idempotent && status == 503:
                case RetryOn.Status504 when idempotent && status == 504:
                    return true;
            }
        }

        return false;
    }

    /// <summary>RFC 9110 section 9.2.2: GET, HEAD, OPTIONS, TRACE, PUT and DELETE may be repeated.</summary>
    public static bool IsIdempotent(string method) =>
        method is "GET" or "HEAD" or "OPTIONS" or "TRACE" or "PUT" or "DELETE";
}
