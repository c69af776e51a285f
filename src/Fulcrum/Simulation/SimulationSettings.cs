namespace Fulcrum.Simulation;

/// <summary>One simulation's inputs (docs/lab.md, "The simulator"); every run is repeatable from its seed.</summary>
internal sealed record SimulationSettings
{
    public int Backends { get; init; } = 100;
    public long Requests { get; init; } = 1_000_000;
    /// <summary>Offered load as a share of the backends' total capacity (0.9: they are busy 90% of the time).</summary>
    public double Load { get; init; } = 0.9;
    /// <summary>Mean service time of a request on a backend of speed 1, in seconds.</summary>
    public double MeanService { get; init; } = 0.010;
    public ServiceShape Service { get; init; } = ServiceShape.Exponential;
    /// <summary>Requests one backend serves at once; more wait in its queue.</summary>
    public int Workers { get; init; } = 1;
    /// <summary>The share of backends that are slow, and how many times slower they are.</summary>
    public double SlowFraction { get; init; }
    public double SlowFactor { get; init; } = 10;
    /// <summary>The share of backends that answer every request with an error, quickly (a broken backend).</summary>
    public double FailFraction { get; init; }
    /// <summary>How long a failing backend takes to answer with its error: by default a hundredth of the mean service (it
    /// fails at once); as long as a service for an overloaded backend that times out.</summary>
    public double? FailSeconds { get; init; }
    /// <summary>Retries on another pick after an error.</summary>
    public int Retries { get; init; }
    /// <summary>
    /// Envoy's retry budget, as a pool's `retries.budget`: a retry is sent only while retries in flight are under this
    /// share of the requests in flight (or under <see cref="MinRetries"/>); 0 means no budget.
    /// </summary>
    public double RetryBudget { get; init; }
    /// <summary>Retries in flight always allowed under a budget (`retries.min-retries`).</summary>
    public int MinRetries { get; init; } = 3;
    /// <summary>
    /// A closed loop of this many clients, each sending its next request the moment the last is answered (the lab's
    /// load generator); 0 means open-loop Poisson arrivals at <see cref="Load"/>.
    /// </summary>
    public int Clients { get; init; }
    /// <summary>Independent balancers, each with its own balancer instance; requests arrive at one at random.</summary>
    public int Balancers { get; init; } = 1;
    /// <summary>
    /// With several balancers: how often each learns every backend's true load (a shared view that goes stale between
    /// refreshes, Brooker's herding case); zero means each knows only the requests it sent itself.
    /// </summary>
    public double RefreshSeconds { get; init; }
    /// <summary>
    /// Hedged requests ("The Tail at Scale", Dean and Barroso 2013): a request not answered this long after it arrived
    /// sends one copy to another backend; the first answer wins and the other copy is cancelled (taken out of its queue,
    /// or its worker freed). Zero means no hedging. Not combined with failing backends or retries.
    /// </summary>
    public double HedgeSeconds { get; init; }
    /// <summary>The share of requests, from the start, that warm the system up and are left out of the figures.</summary>
    public double WarmUp { get; init; } = 0.1;
    public int Seed { get; init; } = 1;

    /// <summary>Backend j's speed: the slow ones are the first of the set (which, for a balancer, is any position).</summary>
    public double Speed(int backend) => backend < (int)Math.Round(SlowFraction * Backends) ? 1 / SlowFactor : 1;

    public bool Fails(int backend) => backend >= Backends - (int)Math.Round(FailFraction * Backends);
}
