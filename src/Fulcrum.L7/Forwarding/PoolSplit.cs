using Fulcrum.Core.Balancing;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// `split`: each request goes to one pool, chosen at random in proportion to the weights (a canary).
/// Per request, not sticky; pair it with affinity on the pools when a user must stay on one side.
/// </summary>
internal sealed class PoolSplit : IBackendTarget
{
    private readonly PoolForwarder[] _pools;
    private readonly IBackendTarget[] _targets;
    private readonly int[] _cumulative; // running sums of the weights; a draw in [0, total) falls in one slot
    private readonly BalancerServices _services;

    /// <param name="targets">Each pool's way in: its forwarder, or the route's <see cref="PoolGate"/> in front of it.</param>
    public PoolSplit(PoolForwarder[] pools, IBackendTarget[] targets, int[] weights, BalancerServices services)
    {
        _pools = pools;
        _targets = targets;
        _services = services;
        _cumulative = new int[weights.Length];
        var sum = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            sum += Math.Max(0, weights[i]);
            _cumulative[i] = sum;
        }
    }

    public IReadOnlyList<PoolForwarder> Pools => _pools;

    public Task ForwardAsync(HttpExchange exchange, FilterChain chain) => Pick().ForwardAsync(exchange, chain);

    internal IBackendTarget Pick()
    {
        var total = _cumulative[^1];
        if (total <= 0) return _targets[0];
        var draw = _services.Random.Next(total);
        for (var i = 0; i < _cumulative.Length; i++)
        {
            if (draw < _cumulative[i]) return _targets[i];
        }

        return _targets[^1];
    }
}
