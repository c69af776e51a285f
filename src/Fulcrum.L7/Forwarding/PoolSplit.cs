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
    private readonly int[] _cumulative; // running sums of the weights; a draw in [0, total) falls in one slot
    private readonly BalancerServices _services;

    public PoolSplit(PoolForwarder[] pools, int[] weights, BalancerServices services)
    {
        _pools = pools;
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

    internal PoolForwarder Pick()
    {
        var total = _cumulative[^1];
        if (total <= 0) return _pools[0];
        var draw = _services.Random.Next(total);
        for (var i = 0; i < _cumulative.Length; i++)
        {
            if (draw < _cumulative[i]) return _pools[i];
        }

        return _pools[^1];
    }
}
