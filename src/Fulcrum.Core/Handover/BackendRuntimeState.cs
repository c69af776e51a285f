using Fulcrum.Core.Model;

namespace Fulcrum.Core.Handover;

/// <summary>
/// One backend's operator intent and health state machine. It is restored only onto a backend with the same id and
/// address in the new process's pool of the same name, the rule a reload uses to keep a backend.
/// </summary>
public sealed record BackendRuntimeState
{
    public required string Id { get; init; }
    public required string Address { get; init; }
    public OperatorIntent Intent { get; init; }
    /// <summary>While draining: how long until drain-timeout (zero once it passed).</summary>
    public double DrainLeftMs { get; init; }
    /// <summary>Active checks said down (`fall` failures) and have not yet seen `rise` passes.</summary>
    public bool ActiveDown { get; init; }
    public int Passes { get; init; }
    public int Fails { get; init; }
    /// <summary>What is left of a passive-health ejection; zero when not ejected.</summary>
    public double EjectedForMs { get; init; }
    /// <summary>Ejections in a row, so the next one doubles as it would have.</summary>
    public int Ejections { get; init; }
    /// <summary>How long ago the last ejection ended (after max-eject-for the doubling starts over); null when none has.</summary>
    public double? SinceEjectionEndMs { get; init; }
    public string? DownReason { get; init; }
    public string? LastProbe { get; init; }
}
