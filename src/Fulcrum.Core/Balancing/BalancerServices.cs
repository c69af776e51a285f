using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.Core.Balancing;

/// <summary>Time and randomness for balancers, injected so tests are exact.</summary>
public sealed class BalancerServices
{
    public static readonly BalancerServices Default = new(TimeProvider.System, Random.Shared);

    public BalancerServices(TimeProvider time, Random random)
    {
        Time = time;
        Random = random;
    }

    public TimeProvider Time { get; }
    /// <summary>Must be thread-safe when the balancer is used from several threads (Random.Shared is).</summary>
    public Random Random { get; }
    /// <summary>Where pools log health, panic and drain events (default: nowhere).</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
