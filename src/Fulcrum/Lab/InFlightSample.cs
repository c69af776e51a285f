namespace Fulcrum.Lab;

/// <summary>A backend's in-flight count (the pool's live `active` counter, the one least-connections reads) at one moment.</summary>
public readonly record struct InFlightSample(double AtMs, string Backend, long Active);
