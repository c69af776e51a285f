namespace Fulcrum.Admin.Json;

/// <summary>POST /api/pools/{pool}/backends: <c>{"address": "127.0.0.1:9004", "weight": 1, "name": "api-4", "backup": false}</c>.</summary>
public sealed record AddBackendRequest(string? Address, int? Weight, string? Name, bool? Backup);
