namespace Fulcrum.Core.Balancing;

/// <summary>What a balancer may know about the work to place. A struct: a pick allocates nothing.</summary>
public readonly struct PickContext
{
    public static readonly PickContext None = default;

    public PickContext(ulong hash)
    {
        Hash = hash;
        HasHash = true;
    }

    /// <summary>Hash of the pool's hash-key for this request or connection (see <see cref="Hashing.KeyHash"/>).</summary>
    public ulong Hash { get; }
    public bool HasHash { get; }
}
