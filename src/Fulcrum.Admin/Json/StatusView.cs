namespace Fulcrum.Admin.Json;

/// <summary>/healthz and /api/reload answers: "ok", "draining" or "reloaded".</summary>
public sealed record StatusView(string Status, long? Generation = null);
