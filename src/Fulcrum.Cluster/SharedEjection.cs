using System.Text.Json.Serialization;

namespace Fulcrum.Cluster;

/// <summary>A passive-health ejection one member made, announced to the others (`share-ejections`).</summary>
internal sealed record SharedEjection(
    [property: JsonPropertyName("origin")] string Origin,
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("pool")] string Pool,
    [property: JsonPropertyName("backend")] string Backend,
    [property: JsonPropertyName("ms")] long Milliseconds,
    [property: JsonPropertyName("reason")] string Reason);
