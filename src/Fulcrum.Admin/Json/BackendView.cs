namespace Fulcrum.Admin.Json;

/// <summary>
/// A backend as the API shows it. <c>State</c> is up, down, draining, maintenance or backup; <c>Health</c> is what
/// the checks say (up or down) apart from operator intent.
/// </summary>
public sealed record BackendView(
    string Id,
    string Address,
    string State,
    string Health,
    string? HealthReason,
    string? LastProbe,
    bool Backup,
    int Weight,
    int EffectiveWeight,
    bool SlowStart,
    long Active,
    long Total,
    long Failures,
    int ConsecutiveFailures,
    double LatencyMs,
    bool Ejected,
    double EjectionLeftSeconds,
    int Ejections,
    DrainView? Drain,
    ReportsView? Reports = null);
