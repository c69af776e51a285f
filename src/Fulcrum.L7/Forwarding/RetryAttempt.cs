using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Health;
using Fulcrum.Core.Model;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// One request's retries, made by the forwarder once an attempt came back retryable (nothing reached the client): the
/// backends tried, the pool's retry budget and circuit-breaker place held, the backend the next attempt goes to. The
/// policy, the budget and the breaker live in Core (<see cref="RetryBudget"/>, <see cref="Core.Protection.PoolAdmission"/>);
/// this only holds the request's part.
/// </summary>
internal sealed class RetryAttempt
{
    private readonly Pool _pool;
    private readonly RetryConfig _config;
    private readonly PickContext _pick;
    private readonly Backend[] _tried;
    private Backend? _next;
    private bool _holdsBudget;
    private bool _holdsBreaker;

    public RetryAttempt(Pool pool, PickContext pick, Backend first)
    {
        _pool = pool;
        _config = pool.Config.Retries;
        _pick = pick;
        _tried = new Backend[Math.Max(1, _config.Attempts)];
        _tried[0] = first;
        Attempts = 1;
    }

    private bool _withheld;

    /// <summary>True once after a <see cref="TryPrepare"/> that said no because the pool's circuit-breaker.max-retries were in flight.</summary>
    public bool TakeWithheld()
    {
        var withheld = _withheld;
        _withheld = false;
        return withheld;
    }

    /// <summary>Attempts made so far, the one that just ended included.</summary>
    public int Attempts { get; private set; }

    /// <summary>
    /// After an attempt that ended with <paramref name="outcome"/> and <paramref name="status"/> (the backend's 502/503/504,
    /// or the balancer's own 502/504 for a failure, which the `502`/`504` conditions cover for idempotent requests): true
    /// when the pool's retry policy allows another attempt, another backend is usable and the budget has room.
    /// </summary>
    public bool TryPrepare(Outcome outcome, int status, bool idempotent)
    {
        if (!RetryBudget.Allows(_config, outcome, status, idempotent, Attempts)) return false;
        // Like the budget, one place under max-retries is held from the request's first retry to its end (Envoy counts
        // retries in flight, and a request has one attempt in flight at a time). Asked before the pick, so a withheld
        // retry does not move the balancer on.
        var tookBreaker = false;
        if (!_holdsBreaker && _pool.Admission is { } admission)
        {
            if (!admission.TryBeginRetry())
            {
                _withheld = true;
                return false;
            }

            _holdsBreaker = tookBreaker = true;
        }

        var next = _pool.PickOther(_pick, _tried.AsSpan(0, Attempts));
        if (next is null)
        {
            if (tookBreaker)
            {
                _pool.Admission!.EndRetry();
                _holdsBreaker = false;
            }

            return false;
        }

        if (!_holdsBudget)
        {
            if (!_pool.Retries.TryBegin()) return false;
            _holdsBudget = true;
        }

        _next = next;
        return true;
    }

    /// <summary>A lease on the prepared backend, or on another when it was retired since it was picked.</summary>
    public Lease AcquireNext()
    {
        var lease = _pool.AcquireRetry(_next!, _pick, _tried.AsSpan(0, Attempts));
        _tried[Attempts++] = lease.Backend;
        _next = null;
        return lease;
    }

    public void End()
    {
        if (_holdsBudget) _pool.Retries.End();
        if (_holdsBreaker) _pool.Admission?.EndRetry();
        _holdsBudget = false;
        _holdsBreaker = false;
    }
}
