using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>What a failed attempt may be retried on (`retries.on:`).</summary>
public enum RetryOn
{
    /// <summary>`connect-failure`: the request never reached a backend; safe for every method.</summary>
    ConnectFailure,
    /// <summary>`502`: idempotent methods only, and only before any byte went to the client.</summary>
    Status502,
    /// <summary>`503`: idempotent methods only, and only before any byte went to the client.</summary>
    Status503,
    /// <summary>`504`: idempotent methods only, and only before any byte went to the client.</summary>
    Status504,
}

/// <summary>A pool's `retries:` block. Every retry goes to a different backend.</summary>
public sealed record RetryConfig
{
    public static readonly RetryConfig Default = new();

    /// <summary>`attempts:` tries in all, the first included (default 2: one retry; 1 turns retries off).</summary>
    public int Attempts { get; init; } = 2;
    /// <summary>`on:` what is retried (default [connect-failure]).</summary>
    public ImmutableArray<RetryOn> On { get; init; } = [RetryOn.ConnectFailure];
    /// <summary>
    /// `budget:` retries in flight may be at most this share of the pool's requests in flight (default 20%, Envoy's),
    /// so retries cannot multiply an outage. `min-retries` are always allowed.
    /// </summary>
    public double Budget { get; init; } = 0.2;
    /// <summary>`min-retries:` retries in flight always allowed whatever the budget (default 3, Envoy's).</summary>
    public int MinRetries { get; init; } = 3;
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
