namespace Fulcrum.Fuzz;

/// <summary>A parser answered without throwing, but its answers contradict each other or its documented contract.</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);
