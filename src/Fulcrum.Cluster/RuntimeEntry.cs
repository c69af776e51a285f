using System.Text.Json.Serialization;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Cluster;

/// <summary>
/// A <see cref="RuntimeChange"/> as Redis keeps it: when (Unix ms), by which process, and what. The newest entry of a
/// field wins (last writer wins, by time, then by origin), so replaying entries in any order ends in one state.
/// </summary>
internal sealed record RuntimeEntry
{
    [JsonPropertyName("at")] public long At { get; init; }
    [JsonPropertyName("origin")] public string Origin { get; init; } = "";
    [JsonPropertyName("kind")] public string Kind { get; init; } = "";
    [JsonPropertyName("pool")] public string Pool { get; init; } = "";
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("weight")] public int? Weight { get; init; }
    [JsonPropertyName("backend")] public AddedBackend? Backend { get; init; }

    /// <summary>The runtime version the write of this entry made; only in announcements, so a gap shows.</summary>
    [JsonPropertyName("v")] public long? Version { get; init; }

    /// <summary>
    /// The hash field: one per backend and aspect, since a drain and a weight are independent, while a drain and a
    /// ready (or an add and a remove) replace each other.
    /// </summary>
    [JsonIgnore]
    public string Field => $"{Pool}\n{Id}\n{Aspect}";

    private string Aspect => Kind switch
    {
        "add" or "remove" => "member",
        "weight" => "weight",
        _ => "intent",
    };

    public static RuntimeEntry From(RuntimeChange change, long at, string origin) => new()
    {
        At = at,
        Origin = origin,
        Kind = change.Kind.ToString().ToLowerInvariant(),
        Pool = change.Pool,
        Id = change.Id,
        Weight = change.Kind == RuntimeChangeKind.Weight ? change.Weight : null,
        Backend = change.Backend is { } b ? new AddedBackend(b.Name, b.Address, b.Weight, b.Backup) : null,
    };

    public RuntimeChange? ToChange()
    {
        if (!Enum.TryParse<RuntimeChangeKind>(Kind, ignoreCase: true, out var kind)) return null;
        return new RuntimeChange(kind, Pool, Id)
        {
            Weight = Weight ?? 0,
            Backend = Backend is { } b ? new BackendConfig { Name = b.Name, Address = b.Address, Weight = b.Weight, Backup = b.Backup } : null,
        };
    }

    /// <summary>Orders entries of one field: later first by time, then by origin, so every instance picks the same winner.</summary>
    public bool NewerThan(RuntimeEntry other) => At != other.At ? At > other.At : string.CompareOrdinal(Origin, other.Origin) > 0;

    /// <summary>A backend added through the admin API, as the operator gave it.</summary>
    internal sealed record AddedBackend(
        [property: JsonPropertyName("name")] string? Name,
        [property: JsonPropertyName("address")] string Address,
        [property: JsonPropertyName("weight")] int Weight,
        [property: JsonPropertyName("backup")] bool Backup);
}
