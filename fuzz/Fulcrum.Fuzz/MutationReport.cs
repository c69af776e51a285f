namespace Fulcrum.Fuzz;

/// <summary>What an in-process run did: how many inputs ran, and the first one that crashed the target, if any.</summary>
public sealed record MutationReport(string Target, int Executions, byte[]? CrashInput, Exception? Crash)
{
    public bool Clean => Crash is null;
}
