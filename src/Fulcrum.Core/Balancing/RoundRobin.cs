using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>Each usable backend in turn, ignoring weights.</summary>
internal sealed class RoundRobin : IBalancer
{
    private readonly Backend[] _backends;
    private int _next = -1;

    private RoundRobin(Backend[] backends) => _backends = backends;

    public Backend? Pick(in PickContext context)
    {
        var n = _backends.Length;
        for (var tries = 0; tries < n; tries++)
        {
            var i = (int)((uint)Interlocked.Increment(ref _next) % (uint)n);
            var b = _backends[i];
            if (b.IsUsable) return b;
        }

        return null;
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => "round-robin";
        public bool UsesHash => false;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new RoundRobin(backends);
    }
}
