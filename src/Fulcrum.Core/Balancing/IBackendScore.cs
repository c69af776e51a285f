using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// How a scoring balancer ranks one eligible backend for <see cref="LowestScore"/>: lower is better.
/// Implemented by readonly structs so the scan is specialised per balancer and a pick allocates nothing.
/// </summary>
internal interface IBackendScore
{
    /// <param name="stats">The backend's live counters.</param>
    /// <param name="active">Its work in flight, read once for both the score and the tie-break.</param>
    /// <param name="weight">Its effective weight, above zero.</param>
    double Of(BackendStats stats, long active, int weight);
}
