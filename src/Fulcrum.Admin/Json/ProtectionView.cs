namespace Fulcrum.Admin.Json;

/// <summary>One protection decision counter, as `GET /api/protection` lists them (docs/protection.md).</summary>
public sealed record ProtectionView(string Listener, string Route, string Protection, string Decision, string Reason, long Count);
