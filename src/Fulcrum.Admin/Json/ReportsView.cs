namespace Fulcrum.Admin.Json;

/// <summary>
/// What a backend said about itself (docs/health.md, "Load feedback"): its agent's weight share and words, and the
/// utilization it last reported in its pool's `load-header`, with the report's age. Absent when it said nothing.
/// </summary>
public sealed record ReportsView(int AgentWeightPercent, string Agent, bool AgentDown, double? Utilization, double? ReportAgeSeconds);
