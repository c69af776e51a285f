namespace Fulcrum.Fuzz;

/// <summary>
/// Runs a target over its seed corpus and then over random mutations of it, in this process and without AFL++:
/// the suite's short mode (tests/Fulcrum.Tests, FuzzTargetTests) and `Fulcrum.Fuzz NAME --mutate N`. Seeded, so a
/// failure repeats with the same seed.
/// </summary>
public static class MutationRun
{
    public static MutationReport Run(IFuzzTarget target, IReadOnlyList<byte[]> corpus, IReadOnlyList<byte[]> dictionary, int mutations, int seed)
    {
        var executions = 0;
        foreach (var input in corpus)
        {
            if (TryRun(target, input, ref executions) is { } crash) return new MutationReport(target.Name, executions, input, crash);
        }

        var mutator = new Mutator(new Random(seed), corpus.Count > 0 ? corpus : [[]], dictionary);
        for (var i = 0; i < mutations; i++)
        {
            var input = mutator.Next();
            if (TryRun(target, input, ref executions) is { } crash) return new MutationReport(target.Name, executions, input, crash);
        }

        return new MutationReport(target.Name, executions, null, null);
    }

    /// <summary>The exception a target lets escape for this input, or null when it answered.</summary>
    public static Exception? TryRun(IFuzzTarget target, byte[] input, ref int executions)
    {
        executions++;
        try
        {
            target.Run(input);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
