namespace Fulcrum.Core.Configuration;

/// <summary>One name a dns listener answers A and AAAA for, from the usable backends ("sites") of <see cref="Pool"/>.</summary>
public sealed record DnsRecordConfig
{
    /// <summary>`name:` a domain name, lower case, without the final dot.</summary>
    public required string Name { get; init; }
    /// <summary>`pool:` whose usable backends' addresses are the answers (their ports are ignored).</summary>
    public required string Pool { get; init; }
    /// <summary>`ttl:` of the answers (default 10s: short, so a site that fails leaves resolvers' caches soon after it leaves the answers).</summary>
    public TimeSpan Ttl { get; init; } = DefaultTtl;
    /// <summary>`policy:` all (default), weighted or failover.</summary>
    public DnsPolicy Policy { get; init; } = DnsPolicy.All;
    /// <summary>`answers:` addresses in one answer at most; 0 takes the policy's default (all: every site; weighted and failover: 1).</summary>
    public int Answers { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;

    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(10);

    /// <summary>How many addresses an answer holds at most.</summary>
    public int AnswerLimit => Answers > 0 ? Answers : Policy == DnsPolicy.All ? int.MaxValue : 1;
}
