namespace Fulcrum.Fuzz.Tests;

/// <summary>
/// The suite's short mode of fuzz/run.sh: each target's seed corpus and a few thousand random mutations of it (with
/// its AFL++ dictionary's tokens), in this process and without AFL++, so the suite needs neither afl-fuzz nor
/// instrumented assemblies. The seed is fixed, so a failure repeats; the real search is fuzz/run.sh's coverage-guided
/// one. A crash found there becomes a regression test in the parser's own test project, not here.
/// </summary>
public sealed class FuzzTargetTests
{
    private const int Mutations = 5000;
    private const int Seed = 18;

    private static readonly string FuzzRoot = FuzzInputs.FindRoot(AppContext.BaseDirectory);

    public static TheoryData<string> Targets() => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void SeedsAndMutations_GetAnswersOrDocumentedRefusals_NeverAnUnexpectedException(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var corpus = FuzzInputs.Read([FuzzInputs.CorpusDirectory(FuzzRoot, name)]).Select(f => f.Data).ToList();
        var dictionary = AflDictionary.Load(FuzzInputs.DictionaryFile(FuzzRoot, name));

        var report = MutationRun.Run(target, corpus, dictionary, Mutations, Seed);

        Assert.True(report.Clean, $"{name} crashed on (base64) {Convert.ToBase64String(report.CrashInput ?? [])}:\n{report.Crash}");
        Assert.Equal(corpus.Count + Mutations, report.Executions);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void EveryTarget_HasASeedCorpus_AndADictionary(string name)
    {
        Assert.NotEmpty(FuzzInputs.Read([FuzzInputs.CorpusDirectory(FuzzRoot, name)]));
        Assert.NotEmpty(AflDictionary.Load(FuzzInputs.DictionaryFile(FuzzRoot, name)));
    }

    [Fact]
    public void AnUnexpectedException_IsReportedWithItsInput()
    {
        var report = MutationRun.Run(new ThrowingTarget(), [[1, 2, 3]], [], mutations: 10, Seed);

        Assert.False(report.Clean);
        Assert.Equal([1, 2, 3], report.CrashInput);
        Assert.IsType<IndexOutOfRangeException>(report.Crash);
    }

    [Fact]
    public void AflDictionaryEscapes_AreDecoded()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "# comment\nname=\"a\\x0d\\x0A\\\"\\\\\"\n\"plain\"\n");
            var tokens = AflDictionary.Load(path);
            Assert.Equal(2, tokens.Count);
            Assert.Equal("a\r\n\"\\"u8.ToArray(), tokens[0]);
            Assert.Equal("plain"u8.ToArray(), tokens[1]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
