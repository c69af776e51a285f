using Fulcrum.Bench.Ha.Anycast;
using Fulcrum.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Fulcrum.Tests.Ha;

/// <summary>
/// Anycast on real processes in network namespaces (bench/ha's anycast lab): two nodes announce the same /32 over BGP
/// to a router running BIRD with ECMP, each through `fulcrum anycast`, the hook that follows its Fulcrum's /healthz.
/// New connections from the router's namespace spread over both; a node taken down stops getting new ones within the
/// hook's two checks (100 ms apart) when its Fulcrum dies or drains, and within BFD's five missed intervals (100 ms;
/// AnycastLabOptions.BfdMultiplier says why five) when the node itself goes silent.
/// </summary>
public sealed class AnycastTests(ITestOutputHelper output)
{
    [NetnsFact]
    public async Task TwoNodes_ShareTheAddress_AKilledFulcrumIsWithdrawnAtOnce_AndADrainingOneRefusesNothing()
    {
        await InLabAsync("fulcrum", async lab =>
        {
            // Spread: both nodes answer new connections.
            var since = lab.Now;
            await Poll.UntilAsync(() => lab.AnsweredBy(since) is var by && by.GetValueOrDefault("a") >= 20 && by.GetValueOrDefault("b") >= 20,
                "both nodes answer 20 new connections each");
            output.WriteLine($"spread: {string.Join(", ", lab.AnsweredBy(since).Select(p => $"{p.Key} {p.Value}"))}");

            // Killed: refused checks withdraw the route within the hook's two checks and a BGP update.
            var killed = await lab.KillFulcrumAsync();
            Assert.True(killed.Withdrawn < TimeSpan.FromSeconds(1), $"{killed}\n{lab.Logs()}");
            AssertOnlyBServesAfter(lab, killed);
            output.WriteLine(await lab.RestoreAsync("kill fulcrum"));

            // Drained: /healthz says 503 while the node still accepts for its grace, so nothing is refused and nothing
            // times out. What can fail is a connection open to a at the instant its next hop leaves the router's route:
            // its next packets reach b, which resets it (one in one run of ten in bench/ha); two are allowed.
            var drained = await lab.DrainFulcrumAsync();
            Assert.True(drained.Withdrawn < TimeSpan.FromSeconds(1), $"{drained}\n{lab.Logs()}");
            Assert.True(drained.Failed <= 2 && !drained.Errors.Contains("refused", StringComparison.Ordinal) && !drained.Errors.Contains("timeout", StringComparison.Ordinal),
                $"{drained}\n{lab.Logs()}");
            AssertOnlyBServesAfter(lab, drained);
        });
    }

    [NetnsFact]
    public async Task ANodeThatGoesSilent_IsWithdrawnByBfd_WithinAFewHundredMilliseconds()
    {
        await InLabAsync("bfd", async lab =>
        {
            var cut = await lab.CutLinkAsync();

            // BFD: five missed 100 ms intervals; the margin is for a busy machine's BIRD.
            Assert.True(cut.Withdrawn < TimeSpan.FromSeconds(1.5), $"{cut}\n{lab.Logs()}");
            AssertOnlyBServesAfter(lab, cut);
            output.WriteLine(await lab.RestoreAsync("link cut"));
        });
    }

    private void AssertOnlyBServesAfter(AnycastLab lab, AnycastResult result)
    {
        // Every connection opened after the router's route stopped leading to a went to b, and none failed.
        Assert.NotNull(result.Withdrawn);
        var withdrawn = result.At + result.Withdrawn!.Value + TimeSpan.FromMilliseconds(20);
        var after = lab.Client!.Records.Where(r => r.Start > withdrawn).ToList();
        Assert.NotEmpty(after);
        Assert.All(after, r => Assert.True(r.Ok && r.Node == "b", $"{r} after the withdrawal at {withdrawn}\n{lab.Logs()}"));
    }

    private async Task InLabAsync(string scenario, Func<AnycastLab, Task> test)
    {
        var options = new AnycastLabOptions
        {
            FulcrumDll = FulcrumProcess.DllPath,
            Directory = Path.Combine(Path.GetTempPath(), $"fulcrum-anycast-{scenario}-{Guid.NewGuid():N}"),
        };
        try
        {
            await using var lab = await AnycastLab.StartAsync(options, output.WriteLine);
            await test(lab);
        }
        finally
        {
            if (Directory.Exists(options.Directory)) Directory.Delete(options.Directory, recursive: true);
        }
    }
}
