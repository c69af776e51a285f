namespace Fulcrum.Admin.Json;

/// <summary>A drain in progress or done: work still in flight and time left until drain-timeout.</summary>
public sealed record DrainView(long InFlight, double TimeLeftSeconds, bool Drained, bool TimedOut, bool Removing);
