namespace Fulcrum.Core.Affinity;

/// <summary>What affinity says about one request; the data plane acts on it.</summary>
public enum AffinityDecision
{
    /// <summary>The request carries no sticky key: let the balancer pick (and, for cookie mode, issue a cookie).</summary>
    NoKey,
    /// <summary>The key names a backend that may take this request: use it.</summary>
    Sticky,
    /// <summary>The key's backend is gone or cannot take work: let the balancer pick and re-issue the cookie.</summary>
    Rebalance,
    /// <summary>The key's backend cannot take work and the pool's policy is `fail`: answer 503.</summary>
    Unavailable,
}
