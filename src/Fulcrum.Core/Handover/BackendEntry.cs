using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Handover;

/// <summary>A <see cref="BackendConfig"/> as the runtime overlay keeps it (without its source location).</summary>
public sealed record BackendEntry
{
    public string? Name { get; init; }
    public required string Address { get; init; }
    public BackendScheme Scheme { get; init; }
    public int Weight { get; init; } = 1;
    public bool Backup { get; init; }
    /// <summary>Kept so the process that takes over knows which entries its discovery may remove.</summary>
    public string? DiscoveredBy { get; init; }

    public static BackendEntry From(BackendConfig config) => new()
    {
        Name = config.Name,
        Address = config.Address,
        Scheme = config.Scheme,
        Weight = config.Weight,
        Backup = config.Backup,
        DiscoveredBy = config.DiscoveredBy,
    };

    public BackendConfig ToConfig() => new() { Name = Name, Address = Address, Scheme = Scheme, Weight = Weight, Backup = Backup, DiscoveredBy = DiscoveredBy };
}
