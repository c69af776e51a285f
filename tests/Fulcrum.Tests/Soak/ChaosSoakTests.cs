using Fulcrum.Bench.Soak;
using Fulcrum.Tests.Infrastructure;
using ChaosSoak = Fulcrum.Bench.Soak.Soak;

namespace Fulcrum.Tests.Soak;

/// <summary>
/// The chaos soak of bench/soak/run.sh in its short mode: the same driver for 25 s. No growth check (the process is
/// still warming up that early); what must hold even in 25 s is that no idempotent request fails and every lease is
/// released at the end.
/// </summary>
public sealed class ChaosSoakTests
{
    [Fact]
    public async Task TwentyFiveSecondsOfChaos_FailNoIdempotentRequest_AndReleaseEveryLease()
    {
        var outDir = Path.Combine(Path.GetTempPath(), "fulcrum-soak-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new SoakOptions
            {
                FulcrumDll = FulcrumProcess.DllPath,
                OutDir = outDir,
                Duration = TimeSpan.FromSeconds(25),
                GrowthCheck = false,
                Progress = false,
            };

            var result = await ChaosSoak.RunAsync(options, _ => { });
            var report = SoakReport.Format(result) + "\nfulcrum.log:\n" + Tail(Path.Combine(outDir, "fulcrum.log"));

            Assert.True(result.Tally.AllFailedIdempotent == 0, report);
            Assert.True(result.LeasesLeft.Count == 0, report);
            // Proof that the chaos ran and every channel carried traffic through it.
            Assert.True(result.Kills >= 3 && result.ReloadsApplied >= 2 && result.Drains >= 2 && result.CertificateReloads >= 1, report);
            foreach (var channel in Enum.GetValues<Channel>()) Assert.True(result.Tally.Ok(channel) > 50, $"{channel}: too little traffic\n{report}");
            Assert.True(result.Passed, report);
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    private static string Tail(string path) =>
        File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(40)) : "(none)";
}
