namespace Fulcrum.Admin.Json;

/// <summary>
/// GET /api/vrrp: what this node tells keepalived. <see cref="Standing"/> is "serving" (state file 0) or "yielding"
/// (1, with <see cref="Reason"/>); <see cref="Tracked"/> says the process has taken <see cref="ProcessName"/>.
/// </summary>
public sealed record VrrpView(
    string Standing,
    string? Reason,
    DateTimeOffset? Since,
    string StateFile,
    string ProcessName,
    bool Tracked,
    IReadOnlyList<string> VirtualIps);
