using System.Text.Json.Serialization;

namespace Fulcrum.Takeover;

/// <summary>Source-generated JSON for the takeover dialogue (camelCase, enums by name, nulls omitted).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(TakeoverMessage))]
internal sealed partial class TakeoverJsonContext : JsonSerializerContext;
