namespace Fulcrum.Bench.Ha.Lab;

/// <summary>One request of the lab's client: when it started and ended on the lab's clock, and who answered.</summary>
public readonly record struct RequestRecord(TimeSpan Start, TimeSpan End, bool Ok, string? Node, string? Error);
