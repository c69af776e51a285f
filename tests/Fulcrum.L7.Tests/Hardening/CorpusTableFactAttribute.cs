namespace Fulcrum.L7.Tests.Hardening;

/// <summary>
/// A test that runs only when FULCRUM_CORPUS_TABLE names a file to write (bench/hardening/corpus-peers.sh sets it): the
/// corpus against nginx and HAProxy takes a minute and compares, it does not judge, so the suite skips it.
/// </summary>
public sealed class CorpusTableFactAttribute : FactAttribute
{
    public const string Variable = "FULCRUM_CORPUS_TABLE";

    public CorpusTableFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable))) Skip = $"set {Variable} (bench/hardening/corpus-peers.sh)";
    }
}
