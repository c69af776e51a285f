namespace Fulcrum.Core.Model;

/// <summary>What users see (API, dashboard, metrics). Derived from operator intent, health and role.</summary>
public enum BackendState
{
    Up,
    Down,
    Draining,
    Maintenance,
    Backup,
}

/// <summary>What the operator asked for. Survives health flapping.</summary>
public enum OperatorIntent
{
    Active,
    Draining,
    Maintenance,
}

/// <summary>What health checks (active and passive) concluded.</summary>
public enum HealthStatus
{
    Up,
    Down,
}
