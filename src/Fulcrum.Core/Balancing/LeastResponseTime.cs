using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// `least-response-time`: the eligible backend with the lowest
/// <c>score = EWMA latency x (active + 1) / effective weight</c>.
/// The EWMA (alpha 0.3, <see cref="BackendStats.EwmaLatency"/>) is the expected time of one unit of
/// work; multiplying by the work in flight plus this one estimates how long the new work waits, so a
/// fast backend wins until its queue makes it slower than an idle slow one. With equal weights the
/// division changes nothing. A backend with no sample yet has latency 0, hence score 0, so new
/// backends are tried first and get measured. Ties (e.g. several unmeasured backends) go to the
/// fewest active, then to the first from a rotating start index, as in `least-connections`.
/// Similar in spirit to nginx plus's least_time and Envoy's peak EWMA; the formula is ours.
/// </summary>
internal sealed class LeastResponseTime : IBalancer
{
    private readonly Backend[] _backends;
    private int _start = -1;

    private LeastResponseTime(Backend[] backends) => _backends = backends;

    public Backend? Pick(in PickContext context) => LowestScore.Pick(_backends, ref _start, new Score());

    private readonly struct Score : IBackendScore
    {
        public double Of(BackendStats stats, long active, int weight) => (double)stats.EwmaLatency.Ticks * (active + 1) / weight;
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => BalancerNames.LeastResponseTime;
        public bool UsesHash => false;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new LeastResponseTime(backends);
    }
}
