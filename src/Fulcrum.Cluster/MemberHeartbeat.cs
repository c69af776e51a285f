using System.Text.Json.Serialization;

namespace Fulcrum.Cluster;

/// <summary>What each member writes into the members hash on every heartbeat (times in Unix ms).</summary>
internal sealed record MemberHeartbeat(
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("origin")] string Origin,
    [property: JsonPropertyName("started")] long Started,
    [property: JsonPropertyName("heartbeat")] long Heartbeat);
