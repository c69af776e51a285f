using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// `least-bandwidth`: the eligible backend with the lowest recent traffic per unit of weight,
/// <c>BytesPerSecondAt(now) / effective weight</c>, where the rate is a decaying average of bytes per
/// second in both directions (time constant 2 s, <see cref="BackendStats.BytesPerSecondAt"/>). Long L4
/// connections report bytes while they run, so a busy stream counts before it ends. Ties (e.g. all idle)
/// go to the fewest active, then to the first from a rotating start index. Like Citrix ADC's
/// LEASTBANDWIDTH; useful when work differs in size (downloads, video, database streams).
/// </summary>
internal sealed class LeastBandwidth : IBalancer
{
    private readonly Backend[] _backends;
    private readonly TimeProvider _time;
    private int _start = -1;

    private LeastBandwidth(Backend[] backends, TimeProvider time)
    {
        _backends = backends;
        _time = time;
    }

    public Backend? Pick(in PickContext context) => LowestScore.Pick(_backends, ref _start, new Score(_time.GetTimestamp(), _time));

    private readonly struct Score(long now, TimeProvider time) : IBackendScore
    {
        // An idle backend's rate is 0: skip decaying it (an exp per backend is most of a pick's cost).
        public double Of(BackendStats stats, long active, int weight) =>
            stats.BytesPerSecond == 0 ? 0 : stats.BytesPerSecondAt(now, time) / weight;
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => BalancerNames.LeastBandwidth;
        public bool UsesHash => false;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new LeastBandwidth(backends, services.Time);
    }
}
