using System.Runtime.CompilerServices;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// The one rule every balancer applies before giving a backend new work: it is usable (active intent,
/// healthy) and its effective weight is above zero. Weight 0 means "no new work", as in HAProxy, so an
/// operator can stop traffic to a backend with a weight change, and slow start can hold one back.
/// </summary>
internal static class Eligibility
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool CanTakeWork(Backend backend) => backend.IsUsable && backend.EffectiveWeight > 0;
}
