namespace Fulcrum.Lab;

/// <summary>The pool's adaptive concurrency limit and the requests in flight under it at one moment (ms since the run began).</summary>
public readonly record struct LimitSample(double AtMs, int Limit, int InFlight, bool Measuring);
