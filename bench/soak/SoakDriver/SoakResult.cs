namespace Fulcrum.Bench.Soak;

/// <summary>What one soak run found; <see cref="Problems"/> empty means it passed.</summary>
public sealed record SoakResult
{
    public required SoakOptions Options { get; init; }
    public required Tally Tally { get; init; }
    public required IReadOnlyList<Sample> Samples { get; init; }
    public required IReadOnlyList<Growth> Growths { get; init; }
    public required string GrowthWindows { get; init; }

    public int Kills { get; init; }
    public int ConfigWrites { get; init; }
    public int ReloadsApplied { get; init; }
    public int ReloadsRejected { get; init; }
    public int Drains { get; init; }
    public int AdminRefusals { get; init; }
    public int Rotations { get; init; }
    public int CertificateReloads { get; init; }
    public int CertificatesWritten { get; init; }
    public int CertificatesSeen { get; init; }
    public int FulcrumWarnings { get; init; }
    public int FulcrumErrors { get; init; }
    public IReadOnlyCollection<string> FulcrumProblems { get; init; } = [];

    /// <summary>Leases held when the load stopped, and every backend still holding one at the deadline (empty: all released).</summary>
    public long LeasesWhenLoadStopped { get; init; }
    public IReadOnlyDictionary<string, long> LeasesLeft { get; init; } = new Dictionary<string, long>();
    public TimeSpan LeasesReleasedAfter { get; init; }

    /// <summary>Fulcrum's exit code after SIGTERM; null when it did not exit in time.</summary>
    public int? ExitCode { get; init; }

    /// <summary>Why the run fails; empty when it passes.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    public bool Passed => Problems.Count == 0;
}
