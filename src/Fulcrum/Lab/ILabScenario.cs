namespace Fulcrum.Lab;

/// <summary>
/// One lab scenario: it starts real backends and a real Fulcrum balancer on 127.0.0.1, drives load
/// through it, and writes a report. Scenarios are found by name in <see cref="LabScenarios"/>.
/// </summary>
public interface ILabScenario
{
    /// <summary>The name on the command line (`fulcrum lab NAME`).</summary>
    string Name { get; }

    /// <summary>One line: what it shows.</summary>
    string Summary { get; }

    /// <summary>Runs the scenario and writes its report into <see cref="LabSettings.OutputDirectory"/>; returns the path of index.html.</summary>
    Task<string> RunAsync(LabSettings settings, CancellationToken cancellationToken);
}
