using Fulcrum.Bench.Upgrade;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Takeover;

/// <summary>
/// Binary upgrades under load through bench/ha/upgrade.sh's driver (docs/ha.md, "Zero-downtime upgrade"): keep-alive
/// http and https clients (HTTP/1.1 and HTTP/2), new http and tcp connections, a long tcp stream and a udp session
/// run while a new `fulcrum run --takeover` process takes over, twice in a row, each time with the other config.
/// </summary>
public sealed class UpgradeUnderLoadTests
{
    [Fact]
    public async Task TwoUpgradesUnderLoad_WithAChangedConfig_FailNoRequest_RefuseNoConnection_AndTheLongStreamEndsOnTheOldProcess()
    {
        var outDir = Path.Combine(Path.GetTempPath(), "fulcrum-upgrade-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new UpgradeOptions
            {
                FulcrumDll = FulcrumProcess.DllPath,
                OutDir = outDir,
                Runs = 2,
                Before = TimeSpan.FromSeconds(2),
                After = TimeSpan.FromSeconds(2),
                Progress = false,
            };

            var runs = await Upgrade.RunAsync(options, _ => { });
            var report = UpgradeReport.Format(runs) + Logs(outDir);

            Assert.Equal(2, runs.Count);
            foreach (var run in runs)
            {
                Assert.True(run.Failed == 0, report);
                Assert.True(run.Refused == 0, report);
                // The stream the old process accepted lived on there through the takeover, and it exited only after.
                Assert.True(run.StreamOutlivedTakeover, report);
                Assert.True(run.OldExitCode == 0, report);
                // Every listener both configs have, and the admin API, kept its port (all bind port 0).
                Assert.True(run.AddressesKept, report);
                foreach (var channel in Enum.GetValues<Channel>()) Assert.True(run.Channels[channel].Ok >= 10, $"run {run.Run}: too little {channel} traffic\n{report}");
            }
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    private static string Logs(string outDir) => string.Concat(Directory.GetFiles(outDir, "fulcrum-*.log").Order().Select(path =>
        $"\n--- {Path.GetFileName(path)} ---\n{string.Join('\n', File.ReadLines(path).TakeLast(25))}"));
}
