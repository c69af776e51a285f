using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Health.Probes;

/// <summary>One kind of active check. Must not throw: every failure is a failed <see cref="ProbeResult"/>.</summary>
public interface IHealthProbe : IDisposable
{
    /// <summary>Probes <paramref name="backend"/>; the token fires at the check's timeout or at shutdown.</summary>
    Task<ProbeResult> ProbeAsync(Backend backend, ActiveHealthConfig config, CancellationToken cancellationToken);
}
