using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Protection;

/// <summary>
/// A pool's circuit breaker and load shedder (docs/protection.md): the counts of its requests, connections, pending
/// requests and retries in flight, checked against the `circuit-breaker` thresholds and the `adaptive-concurrency`
/// limit. One per pool name, kept across reloads (as a <see cref="Model.Backend"/> is), so work admitted under one
/// generation is still counted under the next and a reload cannot reset a breaker.
/// Requests and retries are counted with interlocked adds; the connection slots and their queue under one lock,
/// since a freed slot must go to a waiter or back to the count, never both.
/// </summary>
public sealed class PoolAdmission
{
    private readonly object _slots = new();
    private readonly Queue<TaskCompletionSource<bool>> _waiters = new();
    private readonly long[] _refused = new long[Enum.GetValues<AdmissionDecision>().Length];
    private readonly TimeProvider _time;
    private readonly Random _random;
    private volatile CircuitBreakerConfig? _breaker;
    private volatile GradientLimit? _limit;
    private int _requests;
    private int _limited;
    private int _connections;
    private int _pending;
    private int _retries;

    public PoolAdmission(string pool, TimeProvider time, Random random)
    {
        Pool = pool;
        _time = time;
        _random = random;
    }

    public string Pool { get; }

    /// <summary>The thresholds, or null when the pool has no `circuit-breaker`.</summary>
    public CircuitBreakerConfig? Breaker => _breaker;

    /// <summary>The adaptive limit, or null when the pool has no `adaptive-concurrency`.</summary>
    public GradientLimit? Concurrency => _limit;

    /// <summary>Requests admitted and not finished (pending ones included).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Requests in flight under the adaptive limit (upgraded connections are not).</summary>
    public int Limited => Volatile.Read(ref _limited);

    /// <summary>Connection slots in use: tcp connections, or http requests on the backend leg.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Requests or connections waiting for a slot.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Retries in flight.</summary>
    public int Retries => Volatile.Read(ref _retries);

    /// <summary>Refusals for <paramref name="reason"/> since the pool first had a breaker or a limit.</summary>
    public long Refused(AdmissionDecision reason) => Interlocked.Read(ref _refused[(int)reason]);

    /// <summary>True while the count a threshold bounds is at it (Envoy's `*_open` gauges): new work of that kind is refused.</summary>
    public bool IsOpen(AdmissionDecision threshold) => _breaker is { } b && threshold switch
    {
        AdmissionDecision.MaxConnections => Connections >= b.MaxConnections,
        AdmissionDecision.MaxPending => Pending >= b.MaxPending,
        AdmissionDecision.MaxRequests => Requests >= b.MaxRequests,
        AdmissionDecision.MaxRetries => Retries >= b.MaxRetries,
        _ => false,
    };

    /// <summary>Takes a reload's thresholds and limit settings; counts and the limit's state carry over.</summary>
    public void Configure(CircuitBreakerConfig? breaker, AdaptiveConcurrencyConfig? adaptive)
    {
        _breaker = breaker;
        if (adaptive is null) _limit = null;
        else if (_limit is { } limit) limit.Reconfigure(adaptive);
        else _limit = new GradientLimit(adaptive, _time, _random);
    }

    /// <summary>
    /// Admits an http request, or refuses it at once: past max-requests, or (when <paramref name="limited"/>) past its
    /// priority's share of the adaptive limit. An admitted request must be ended with <see cref="Complete"/>.
    /// </summary>
    public AdmissionDecision TryAdmit(RequestPriority priority, bool limited, out AdmissionTicket ticket)
    {
        ticket = default;
        var requests = Interlocked.Increment(ref _requests);
        if (_breaker is { } breaker && requests > breaker.MaxRequests)
        {
            Interlocked.Decrement(ref _requests);
            return Refuse(AdmissionDecision.MaxRequests);
        }

        if (limited && _limit is { } limit)
        {
            var inFlight = Interlocked.Increment(ref _limited);
            if (inFlight > limit.Allowed(priority))
            {
                Interlocked.Decrement(ref _limited);
                Interlocked.Decrement(ref _requests);
                limit.OnShed();
                return Refuse(inFlight > limit.Limit ? AdmissionDecision.ConcurrencyLimit : AdmissionDecision.LowPriority);
            }

            limit.OnAdmitted(inFlight);
            ticket = new AdmissionTicket(Limited: true, limit.Epoch);
        }

        return AdmissionDecision.Admitted;
    }

    /// <summary>
    /// An admitted http request takes a connection slot, under max-connections when the pool has a breaker, waiting
    /// up to <paramref name="wait"/> as pending when all are in use (at most max-pending wait; more are refused at
    /// once). Slots are counted without a breaker too, for the metrics. When admitted, the slot is the ticket's.
    /// </summary>
    public ValueTask<AdmissionDecision> TakeSlotAsync(TimeSpan wait, CancellationToken aborted)
    {
        var breaker = _breaker;
        TaskCompletionSource<bool> waiter;
        lock (_slots)
        {
            if (breaker is null || _connections < breaker.MaxConnections)
            {
                _connections++;
                return new(AdmissionDecision.Admitted);
            }

            if (Volatile.Read(ref _pending) >= breaker.MaxPending) return new(Refuse(AdmissionDecision.MaxPending));
            waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
            Interlocked.Increment(ref _pending);
        }

        return WaitAsync(waiter, wait, aborted);
    }

    // Rare (every slot is in use), so the allocations of a wait do not matter.
    private async ValueTask<AdmissionDecision> WaitAsync(TaskCompletionSource<bool> waiter, TimeSpan wait, CancellationToken aborted)
    {
        var state = (this, waiter);
        using var timeout = new CancellationTokenSource(wait, _time);
        using var onTimeout = timeout.Token.UnsafeRegister(static s => GiveUp(s!), state);
        using var onAbort = aborted.UnsafeRegister(static s => GiveUp(s!), state);
        if (await waiter.Task.ConfigureAwait(false)) return AdmissionDecision.Admitted;
        return aborted.IsCancellationRequested ? AdmissionDecision.Abandoned : Refuse(AdmissionDecision.PendingTimeout);
    }

    // A waiter that timed out or whose client left: out of the queue, unless a slot was handed to it just before.
    private static void GiveUp(object state)
    {
        var (admission, waiter) = ((PoolAdmission, TaskCompletionSource<bool>))state;
        lock (admission._slots)
        {
            if (waiter.TrySetResult(false)) Interlocked.Decrement(ref admission._pending);
        }
    }

    /// <summary>A tcp connection takes a slot under max-connections, or is refused at once; end it with <see cref="ReleaseSlot"/>.</summary>
    public AdmissionDecision TryOpenConnection()
    {
        var breaker = _breaker;
        lock (_slots)
        {
            if (breaker is not null && _connections >= breaker.MaxConnections) return Refuse(AdmissionDecision.MaxConnections);
            _connections++;
            return AdmissionDecision.Admitted;
        }
    }

    /// <summary>Frees a slot taken by <see cref="TryOpenConnection"/> or <see cref="TakeSlotAsync"/>: to the longest waiter, else back to the count.</summary>
    public void ReleaseSlot()
    {
        lock (_slots)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                if (!waiter.TrySetResult(true)) continue; // it gave up already
                Interlocked.Decrement(ref _pending);
                return;
            }

            _connections--;
        }
    }

    /// <summary>A tcp connection joins the over-limit queue, unless max-pending are waiting already.</summary>
    public bool TryEnterQueue()
    {
        var pending = Interlocked.Increment(ref _pending);
        if (_breaker is not { } breaker || pending <= breaker.MaxPending) return true;
        Interlocked.Decrement(ref _pending);
        Refuse(AdmissionDecision.MaxPending);
        return false;
    }

    public void LeaveQueue() => Interlocked.Decrement(ref _pending);

    /// <summary>A retry may start unless max-retries are in flight; one that started ends with <see cref="EndRetry"/>.</summary>
    public bool TryBeginRetry()
    {
        var retries = Interlocked.Increment(ref _retries);
        if (_breaker is not { } breaker || retries <= breaker.MaxRetries) return true;
        Interlocked.Decrement(ref _retries);
        Refuse(AdmissionDecision.MaxRetries);
        return false;
    }

    public void EndRetry() => Interlocked.Decrement(ref _retries);

    /// <summary>Ends an admitted request: frees its slot (when it took one) and, with the latency to the backend's answer when there was one, feeds the limit.</summary>
    public void Complete(in AdmissionTicket ticket, bool slot, TimeSpan? latency)
    {
        if (slot) ReleaseSlot();
        if (ticket.Limited)
        {
            Interlocked.Decrement(ref _limited);
            if (latency is { } l) _limit?.OnSample(ticket.Epoch, l);
        }

        Interlocked.Decrement(ref _requests);
    }

    private AdmissionDecision Refuse(AdmissionDecision reason)
    {
        Interlocked.Increment(ref _refused[(int)reason]);
        return reason;
    }
}
