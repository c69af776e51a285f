using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// `peak-ewma`: Finagle's balancer (now also Envoy's and Linkerd's). Two eligible backends drawn at random, as in
/// <see cref="PowerOfTwoChoices"/>; the one with the lower <c>peak-EWMA latency x (active + 1) / effective weight</c>
/// wins. The latency estimate (<see cref="BackendStats.PeakEwmaSecondsAt"/>) jumps up at once on a slow answer and
/// decays over <see cref="BackendStats.PeakDecay"/>, so a backend that turns slow loses traffic on its first slow
/// answer, where `least-response-time`'s plain average needs several. A backend with no sample yet scores 0 and is
/// tried, but while its first answers are in flight each one counts as <see cref="Unmeasured"/> of latency, so a
/// new backend is not flooded before anything is known of it (Finagle's penalty does the same).
/// </summary>
internal sealed class PeakEwma : IBalancer
{
    /// <summary>The latency assumed for work in flight on a backend that has never answered.</summary>
    internal const double Unmeasured = 1.0;

    private readonly Backend[] _backends;
    private readonly Random _random;
    private readonly TimeProvider _time;

    private PeakEwma(Backend[] backends, BalancerServices services)
    {
        _backends = backends;
        _random = services.Random;
        _time = services.Time;
    }

    public Backend? Pick(in PickContext context)
    {
        var first = RandomDraw.Eligible(_backends, _random, -1);
        if (first < 0) return null;
        var second = RandomDraw.Eligible(_backends, _random, first);
        var a = _backends[first];
        if (second < 0) return a;
        var b = _backends[second];
        var now = _time.GetTimestamp();
        return Load(b, now) < Load(a, now) ? b : a;
    }

    private double Load(Backend backend, long now)
    {
        var weight = backend.EffectiveWeight;
        if (weight <= 0) return double.MaxValue; // eligible when drawn, out since: loses
        var active = backend.Stats.Active;
        var cost = backend.Stats.PeakEwmaSecondsAt(now, _time);
        if (cost == 0) return active * Unmeasured / weight;
        return cost * (active + 1) / weight;
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => BalancerNames.PeakEwma;
        public bool UsesHash => false;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new PeakEwma(backends, services);
    }
}
