namespace Fulcrum.Admin.Json;

/// <summary>PUT /api/pools/{pool}/backends/{id}/weight: <c>{"weight": 3}</c>.</summary>
public sealed record WeightRequest(int? Weight);
