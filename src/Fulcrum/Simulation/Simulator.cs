using System.Diagnostics;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Model;

namespace Fulcrum.Simulation;

/// <summary>
/// A discrete-event simulation of balancers in front of queueing backends, on Fulcrum's own balancer classes (not
/// copies): each balancer picks among real <see cref="Backend"/> objects whose live counters (active work, latency
/// averages) are driven by simulated time. Arrivals are Poisson; each backend serves `workers` requests at once in
/// FIFO order. One event loop on one thread, so a run is exactly repeatable from its seed. A request may have a copy
/// (a hedged request): a second slot on another backend, the first of the two to answer ends the request.
/// </summary>
internal sealed class Simulator
{
    private readonly SimulationSettings _s;
    private readonly string _algorithm;
    private readonly SimulatedClock _clock = new();
    private readonly Random _random;
    private readonly SimulationResult _result;

    // The balancers: each has its own Backend objects (its view) and balancer instance over them.
    private readonly Backend[][] _views;
    private readonly IBalancer[] _balancers;
    private readonly Dictionary<Backend, int>[] _index;
    private readonly Stack<Lease>?[][] _phantoms; // per view and backend: load learned at the last refresh, not its own

    // The backends' true state: requests held, workers busy, and a FIFO of waiting requests (linked through slots).
    private readonly int[] _held;
    private readonly int[] _busy;
    private readonly int[] _head;
    private readonly int[] _tail;

    // Requests in flight, one slot each (a copy has its own).
    private readonly RequestSlots _r = new();

    private readonly PriorityQueue<int, long> _completions = new();

    // Hedge timers in arrival order, which is also their firing order: every request waits the same delay.
    private readonly Queue<(long At, int Slot, long Serial)> _hedges = new();
    private readonly long _hedgeDelay;

    // Arrivals so far, and for the retry budget the requests and the retries in flight.
    private long _arrivals;
    private long _warmUp;
    private int _inFlight;
    private int _retriesInFlight;

    // Time-average of "backends holding at least i": per depth, the count now, the area so far and when it last changed.
    private readonly long[] _atLeast = new long[SimulationResult.TrackedDepth + 1];
    private readonly double[] _area = new double[SimulationResult.TrackedDepth + 1];
    private readonly long[] _areaSince = new long[SimulationResult.TrackedDepth + 1];
    private long _measuredFrom;

    private Simulator(SimulationSettings settings, string algorithm)
    {
        _s = settings;
        _algorithm = algorithm;
        _random = new Random(settings.Seed);
        _result = new SimulationResult(algorithm, settings.Backends);
        var factory = BalancerRegistry.Get(algorithm);
        var n = settings.Backends;
        _views = new Backend[settings.Balancers][];
        _balancers = new IBalancer[settings.Balancers];
        _index = new Dictionary<Backend, int>[settings.Balancers];
        _phantoms = new Stack<Lease>?[settings.Balancers][];
        for (var b = 0; b < settings.Balancers; b++)
        {
            var view = new Backend[n];
            var index = new Dictionary<Backend, int>(n, ReferenceEqualityComparer.Instance);
            for (var j = 0; j < n; j++)
            {
                // Weights follow speed, as an operator would set them; the address is never dialled.
                view[j] = new Backend($"s{j}", $"192.0.2.1:{1 + j % 65535}", Math.Max(1, (int)Math.Round(10 * settings.Speed(j))));
                index[view[j]] = j;
            }

            _views[b] = view;
            _index[b] = index;
            _phantoms[b] = new Stack<Lease>?[n];
            _balancers[b] = factory.Create(view, new BalancerServices(_clock, new Random(settings.Seed * 31 + b)));
        }

        _hedgeDelay = settings.HedgeSeconds > 0 ? Math.Max(1, SimulatedClock.Nanoseconds(settings.HedgeSeconds)) : 0;
        if (_hedgeDelay > 0 && (settings.Retries > 0 || settings.FailFraction > 0))
        {
            throw new ArgumentException("hedged requests are not simulated together with failing backends or retries", nameof(settings));
        }

        _held = new int[n];
        _busy = new int[n];
        _head = new int[n];
        _tail = new int[n];
        Array.Fill(_head, -1);
        Array.Fill(_tail, -1);
    }

    /// <summary>Runs <paramref name="algorithm"/> under <paramref name="settings"/>.</summary>
    public static SimulationResult Run(SimulationSettings settings, string algorithm) => new Simulator(settings, algorithm).Run();

    private SimulationResult Run()
    {
        var wall = Stopwatch.StartNew();
        var capacity = 0.0;
        for (var j = 0; j < _s.Backends; j++) capacity += _s.Workers * _s.Speed(j) / _s.MeanService;
        var meanGap = 1 / (_s.Load * capacity);
        _warmUp = (long)(_s.WarmUp * _s.Requests);
        var refresh = _s.Balancers > 1 && _s.RefreshSeconds > 0 ? SimulatedClock.Nanoseconds(_s.RefreshSeconds) : long.MaxValue;
        var nextRefresh = refresh == long.MaxValue ? long.MaxValue : refresh;
        var closed = _s.Clients > 0;
        var nextArrival = closed ? long.MaxValue : _clock.Now + Gap(meanGap);
        // A closed loop starts with every client sending; each answer sends that client's next request (Finish).
        for (var c = 0; closed && c < _s.Clients && _arrivals < _s.Requests; c++) Arrive();

        while ((!closed && _arrivals < _s.Requests) || _completions.Count > 0)
        {
            var completion = _completions.TryPeek(out _, out var at) ? at : long.MaxValue;
            var arrival = !closed && _arrivals < _s.Requests ? nextArrival : long.MaxValue;
            if (nextRefresh <= completion && nextRefresh <= arrival)
            {
                _clock.Now = nextRefresh;
                Refresh();
                nextRefresh += refresh;
                continue;
            }

            if (_hedges.TryPeek(out var hedge) && hedge.At <= completion && hedge.At <= arrival)
            {
                _hedges.Dequeue();
                _clock.Now = hedge.At;
                Hedge(hedge.Slot, hedge.Serial);
                continue;
            }

            if (arrival <= completion)
            {
                _clock.Now = arrival;
                Arrive();
                nextArrival = _clock.Now + Gap(meanGap);
            }
            else
            {
                _clock.Now = completion;
                Complete(_completions.Dequeue());
            }
        }

        FinishMeasuring();
        _result.SimulatedSeconds = (_clock.Now - _measuredFrom) / 1e9;
        _result.WallTime = wall.Elapsed;
        return _result;
    }

    private void Arrive()
    {
        if (_arrivals == _warmUp) StartMeasuring();
        var slot = NewSlot(counted: _arrivals >= _warmUp);
        _r.Serial[slot] = _arrivals;
        if (_hedgeDelay > 0) _hedges.Enqueue((_clock.Now + _hedgeDelay, slot, _arrivals));
        _arrivals++;
        _inFlight++;
        Dispatch(slot);
    }

    // The hedge delay passed: a request still unanswered, and without a copy yet, sends one to another backend.
    private void Hedge(int slot, long serial)
    {
        if (_r.Serial[slot] != serial || _r.Copy[slot] >= 0) return;
        var copy = NewSlot(_r.Counted[slot]);
        _r.Arrived[copy] = _r.Arrived[slot];
        _r.BalancerOf[copy] = _r.BalancerOf[slot];
        _r.CopyOf[copy] = slot;
        _r.Copy[slot] = copy;
        if (_r.Counted[slot]) _result.HedgesSent++;
        Dispatch(copy, avoid: _r.BackendOf[slot]);
    }

    private long Gap(double meanSeconds) => Math.Max(1, SimulatedClock.Nanoseconds(-meanSeconds * Math.Log(1 - _random.NextDouble())));

    // A copy avoids its original's backend (a hedge on the same queue would wait behind it): a few picks, then any.
    private void Dispatch(int slot, int avoid = -1)
    {
        var b = _r.BalancerOf[slot];
        var picked = _balancers[b].Pick(new PickContext((ulong)_random.NextInt64()));
        for (var tries = 1; avoid >= 0 && picked is not null && _index[b][picked] == avoid && tries < 4; tries++)
        {
            picked = _balancers[b].Pick(new PickContext((ulong)_random.NextInt64()));
        }

        if (picked is null && _r.CopyOf[slot] >= 0)
        {
            _r.Copy[_r.CopyOf[slot]] = -1; // no backend for the copy: the original carries on alone
            _r.CopyOf[slot] = -1;
            _r.Free(slot);
            return;
        }

        if (picked is null)
        {
            Finish(slot, ok: false);
            return;
        }

        var j = _index[b][picked];
        _r.BackendOf[slot] = j;
        _r.Leases[slot] = picked.Acquire(_clock);
        if (_r.Counted[slot]) _result.Served[j]++;
        Hold(j, +1);
        if (_busy[j] < _s.Workers) Start(slot, j);
        else Enqueue(slot, j);
    }

    private void Start(int slot, int j)
    {
        _busy[j]++;
        _r.StartedAt[slot] = _clock.Now;
        var seconds = _s.Fails(j)
            ? _s.FailSeconds ?? _s.MeanService / 100 // a broken backend answers at once, with an error (or after FailSeconds)
            : ServiceTimes.Draw(_s.Service, _s.MeanService, _random) / _s.Speed(j);
        _completions.Enqueue(slot, _clock.Now + Math.Max(1, SimulatedClock.Nanoseconds(seconds)));
    }

    private void Complete(int slot)
    {
        if (_r.Cancelled[slot])
        {
            // A copy cancelled in service: its worker went back to the queue at the cancel.
            _r.Cancelled[slot] = false;
            _r.Free(slot);
            return;
        }

        var j = _r.BackendOf[slot];
        _busy[j]--;
        Hold(j, -1);
        if (_r.Counted[slot]) _result.BusySeconds += (_clock.Now - _r.StartedAt[slot]) / 1e9;
        var failed = _s.Fails(j);
        _r.Leases[slot].Release(failed ? Outcome.ServerError : Outcome.Success);
        _r.Leases[slot] = default;
        if (_head[j] >= 0) Start(Dequeue(j), j);
        if (!failed)
        {
            // The first answer wins; the other copy of the request, if any, is cancelled.
            var other = _r.CopyOf[slot] >= 0 ? _r.CopyOf[slot] : _r.Copy[slot];
            if (other >= 0) Cancel(other);
            if (_r.CopyOf[slot] >= 0 && _r.Counted[slot]) _result.HedgeWins++;
            Finish(slot, ok: true);
        }
        else if (_r.Attempts[slot] <= _s.Retries && BudgetAllows(slot))
        {
            _r.Attempts[slot]++;
            if (!_r.Retrying[slot])
            {
                _r.Retrying[slot] = true;
                _retriesInFlight++;
            }

            if (_r.Counted[slot]) _result.RetriesSent++;
            Dispatch(slot);
        }
        else
        {
            Finish(slot, ok: false);
        }
    }

    // Envoy's retry budget (and a pool's retries.budget): retries in flight stay under a share of the requests in flight,
    // with min-retries always allowed; a request on its retries holds one place from its first retry to its end.
    private bool BudgetAllows(int slot)
    {
        if (_s.RetryBudget <= 0 || _r.Retrying[slot]) return true;
        if (_retriesInFlight < Math.Max(_s.MinRetries, _s.RetryBudget * _inFlight)) return true;
        if (_r.Counted[slot]) _result.RetriesWithheld++;
        return false;
    }

    // The losing copy of a hedged request: out of its queue, or its worker freed at once, as a cancel over the wire
    // would (the balancer gives up the lease as a client abort, which health never holds against a backend).
    private void Cancel(int slot)
    {
        var j = _r.BackendOf[slot];
        Hold(j, -1);
        _r.Leases[slot].Release(Outcome.ClientAbort);
        _r.Leases[slot] = default;
        _r.Serial[slot] = -1;
        _r.Copy[slot] = -1;
        _r.CopyOf[slot] = -1;
        if (_r.StartedAt[slot] < 0)
        {
            Unlink(slot, j);
            _r.Free(slot);
            return;
        }

        _busy[j]--;
        if (_r.Counted[slot]) _result.BusySeconds += (_clock.Now - _r.StartedAt[slot]) / 1e9;
        _r.Cancelled[slot] = true; // freed when its completion event comes up
        if (_head[j] >= 0) Start(Dequeue(j), j);
    }

    private void Finish(int slot, bool ok)
    {
        _r.Serial[slot] = -1;
        _r.Copy[slot] = -1;
        _r.CopyOf[slot] = -1;
        _inFlight--;
        if (_r.Retrying[slot])
        {
            _r.Retrying[slot] = false;
            _retriesInFlight--;
        }

        if (_r.Counted[slot])
        {
            _result.Requests++;
            if (ok) _result.Latency.Record((_clock.Now - _r.Arrived[slot]) / 1e9);
            else _result.Errors++;
        }

        _r.Free(slot);
        if (_s.Clients > 0 && _arrivals < _s.Requests) Arrive(); // that client's next request
    }

    // The requests backend j holds changed by one: the time averages of queue depth move at that depth only.
    private void Hold(int j, int delta)
    {
        var depth = delta > 0 ? _held[j] + 1 : _held[j];
        _held[j] += delta;
        if (_held[j] > _result.MaxQueue && _measuredFrom > 0) _result.MaxQueue = _held[j];
        if (depth > SimulationResult.TrackedDepth) return;
        _area[depth] += _atLeast[depth] * (double)(_clock.Now - _areaSince[depth]);
        _areaSince[depth] = _clock.Now;
        _atLeast[depth] += delta;
    }

    private void StartMeasuring()
    {
        _measuredFrom = _clock.Now;
        Array.Clear(_area);
        Array.Fill(_areaSince, _clock.Now);
    }

    private void FinishMeasuring()
    {
        var span = (double)(_clock.Now - _measuredFrom);
        if (span <= 0) return;
        for (var i = 1; i <= SimulationResult.TrackedDepth; i++)
        {
            var area = _area[i] + _atLeast[i] * (double)(_clock.Now - _areaSince[i]);
            _result.AtLeast[i] = area / span / _s.Backends;
        }
    }

    // Every balancer learns every backend's true load: its view holds its own leases plus "phantom" work for the rest.
    private void Refresh()
    {
        for (var b = 0; b < _views.Length; b++)
        {
            var view = _views[b];
            var phantoms = _phantoms[b];
            for (var j = 0; j < view.Length; j++)
            {
                var held = phantoms[j]?.Count ?? 0;
                var own = view[j].Stats.Active - held;
                var wanted = Math.Max(0, _held[j] - own);
                if (wanted == held) continue;
                var stack = phantoms[j] ??= new Stack<Lease>();
                // Phantom leases count as active work; taken back with Abandon, they record no latency.
                while (stack.Count < wanted) stack.Push(view[j].Acquire(_clock));
                while (stack.Count > wanted) stack.Pop().Abandon();
            }
        }
    }

    private int NewSlot(bool counted)
    {
        var slot = _r.Take(_clock.Now, counted);
        _r.BalancerOf[slot] = _views.Length == 1 ? 0 : _random.Next(_views.Length);
        return slot;
    }

    private void Enqueue(int slot, int j)
    {
        _r.Next[slot] = -1;
        _r.StartedAt[slot] = -1;
        if (_tail[j] >= 0) _r.Next[_tail[j]] = slot;
        else _head[j] = slot;
        _tail[j] = slot;
    }

    private void Unlink(int slot, int j)
    {
        int previous = -1, at = _head[j];
        while (at != slot)
        {
            previous = at;
            at = _r.Next[at];
        }

        if (previous < 0) _head[j] = _r.Next[slot];
        else _r.Next[previous] = _r.Next[slot];
        if (_tail[j] == slot) _tail[j] = previous;
    }

    private int Dequeue(int j)
    {
        var slot = _head[j];
        _head[j] = _r.Next[slot];
        if (_head[j] < 0) _tail[j] = -1;
        return slot;
    }
}
