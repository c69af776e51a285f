using System.Text.Json.Serialization;

namespace Fulcrum.Admin.Json;

/// <summary>Source-generated JSON for every shape the API reads or writes (camelCase, nulls omitted).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(PoolView))]
[JsonSerializable(typeof(List<PoolView>))]
[JsonSerializable(typeof(BackendView))]
[JsonSerializable(typeof(ErrorView))]
[JsonSerializable(typeof(StatusView))]
[JsonSerializable(typeof(AddBackendRequest))]
[JsonSerializable(typeof(WeightRequest))]
[JsonSerializable(typeof(StatsView))]
[JsonSerializable(typeof(List<ProtectionView>))]
[JsonSerializable(typeof(ClusterView))]
[JsonSerializable(typeof(VrrpView))]
[JsonSerializable(typeof(List<CacheView>))]
[JsonSerializable(typeof(CachePurgeRequest))]
[JsonSerializable(typeof(CachePurgeView))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
