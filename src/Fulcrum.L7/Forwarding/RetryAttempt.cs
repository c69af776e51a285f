using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Health;
using Fulcrum.Core.Model;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// One request's retry state, set as a feature while an attempt may still be retried on a 502/503/504.
/// The route's transformer asks <see cref="TryIntercept"/> before copying the backend's answer: when a retry is
/// possible (budget left and another backend usable) the answer is dropped unseen, so nothing reached the client.
/// The retry policy and budget live in Core (<see cref="RetryBudget"/>); this only holds the request's part.
/// </summary>
internal sealed class RetryAttempt
{
    private readonly Pool _pool;
    private readonly RetryConfig _config;
    private readonly PickContext _pick;
    private readonly Backend[] _tried;

    public RetryAttempt(Pool pool, PickContext pick)
    {
        _pool = pool;
        _config = pool.Config.Retries;
        _pick = pick;
        _tried = new Backend[Math.Max(1, _config.Attempts)];
    }

    /// <summary>Attempts made so far, the one in flight included.</summary>
    public int Attempt { get; private set; }
    /// <summary>The status of a backend answer that was dropped for a retry, else 0.</summary>
    public int InterceptedStatus { get; private set; }
    /// <summary>The backend the retry goes to, once decided.</summary>
    public Backend? Next { get; private set; }
    /// <summary>True once this request holds one retry of the pool's budget.</summary>
    public bool HoldsBudget { get; private set; }

    public void Begin(Backend backend)
    {
        _tried[Attempt] = backend;
        Attempt++;
        InterceptedStatus = 0;
        Next = null;
    }

    /// <summary>Called by the transformer with the backend's status; true to drop the answer and retry.</summary>
    public bool TryIntercept(int status)
    {
        if (!RetryBudget.Allows(_config, Outcome.ServerError, status, idempotent: true, Attempt)) return false;
        if (!TryPrepare()) return false;
        InterceptedStatus = status;
        return true;
    }

    /// <summary>
    /// After a failed attempt: true when it may be retried and a retry is ready. <paramref name="status"/> is the
    /// answer the balancer would give (502 for a reset or a bad answer, 504 for a timeout), which the `502`/`504`
    /// conditions cover for idempotent requests, since nothing reached the client.
    /// </summary>
    public bool TryRetryAfter(Outcome outcome, int status, bool idempotent) =>
        Next is not null || (RetryBudget.Allows(_config, outcome, status, idempotent, Attempt) && TryPrepare());

    private bool TryPrepare()
    {
        var next = _pool.PickOther(_pick, _tried.AsSpan(0, Attempt));
        if (next is null) return false;
        if (!HoldsBudget)
        {
            if (!_pool.Retries.TryBegin()) return false;
            HoldsBudget = true;
        }

        Next = next;
        return true;
    }

    /// <summary>A lease on <see cref="Next"/>, or on another backend when Next was retired since it was picked.</summary>
    public Lease AcquireNext() => _pool.AcquireRetry(Next!, _pick, _tried.AsSpan(0, Attempt));

    public void End()
    {
        if (HoldsBudget) _pool.Retries.End();
        HoldsBudget = false;
    }
}
