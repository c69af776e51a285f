using System.Text.Json.Serialization;

namespace Fulcrum.Cluster;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RuntimeEntry))]
[JsonSerializable(typeof(MemberHeartbeat))]
[JsonSerializable(typeof(SharedEjection))]
internal sealed partial class ClusterJsonContext : JsonSerializerContext;
