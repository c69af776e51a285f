using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Model;

/// <summary>The operator's runtime operations (<see cref="BackendOperations"/>), as values other instances can replay.</summary>
public enum RuntimeChangeKind
{
    Add,
    Remove,
    Drain,
    Maintenance,
    Ready,
    Weight,
}

/// <summary>
/// One operator change to one backend, as the admin API asked for it: <see cref="BackendOperations.Apply"/> runs it
/// again, here or on another instance, through the same code.
/// </summary>
/// <param name="Kind">What was done.</param>
/// <param name="Pool">The pool's name.</param>
/// <param name="Id">The backend's id (for <see cref="RuntimeChangeKind.Add"/>, the added backend's).</param>
public sealed record RuntimeChange(RuntimeChangeKind Kind, string Pool, string Id)
{
    /// <summary>The new weight, for <see cref="RuntimeChangeKind.Weight"/>.</summary>
    public int Weight { get; init; }
    /// <summary>The added backend as the operator gave it, for <see cref="RuntimeChangeKind.Add"/>.</summary>
    public BackendConfig? Backend { get; init; }
}
