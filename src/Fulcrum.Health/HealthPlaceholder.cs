namespace Fulcrum.Health;

// Active probes (HTTP, TCP, UDP) and their schedulers live here; see the health issue.
internal static class HealthPlaceholder
{
}
