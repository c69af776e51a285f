using Fulcrum.Bench.Ha;
using Fulcrum.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Fulcrum.Tests.Ha;

/// <summary>
/// Active-passive through keepalived, on real processes in network namespaces (bench/ha's lab, once per scenario): a
/// client loads the virtual IP while the master's fulcrum is killed, its link is cut, or it is stopped for a planned
/// switchover. VRRPv3 with a 100 ms advert interval; bench/ha/run.sh measures the same ten times each.
/// </summary>
public sealed class VipFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [NetnsFact]
    public async Task KillingTheMastersFulcrum_TheBackupServesTheVipWithinOneSecond_AndWithPreemptionTheMasterTakesItBack()
    {
        // Multicast adverts here; the other two tests use unicast peers.
        await InLabAsync(Options("kill") with { Unicast = false }, async lab =>
        {
            var result = await lab.KillAsync();

            Assert.True(result.Failover < OneSecond, $"{result}\n{lab.Logs()}");
            Assert.True(lab.B.HasVip(HaLab.Vip), lab.Logs());
            var restored = await lab.RestoreAsync("kill");
            output.WriteLine($"restore: {restored}");
            Assert.True(lab.A.HasVip(HaLab.Vip) && !lab.B.HasVip(HaLab.Vip), $"{restored}\n{lab.Logs()}");
        });
    }

    [NetnsFact]
    public async Task CuttingTheMastersLink_TheBackupServesWithinOneSecond_AndWithoutPreemptionKeepsTheVipWhenTheLinkReturns()
    {
        await InLabAsync(Options("link-cut") with { Preempt = false }, async lab =>
        {
            var result = await lab.CutLinkAsync();

            Assert.True(result.Failover < OneSecond, $"{result}\n{lab.Logs()}");
            var restored = await lab.RestoreAsync("link-cut");
            output.WriteLine($"restore: {restored}");
            Assert.True(lab.B.HasVip(HaLab.Vip) && !lab.A.HasVip(HaLab.Vip), $"{restored}\n{lab.Logs()}");
            Assert.DoesNotContain("took the virtual IP back", restored, StringComparison.Ordinal);
        });
    }

    [NetnsFact]
    public async Task PlannedSwitchover_UnderLoad_MovesTheVipWhileTheOldMasterStillAccepts_AndNothingIsRefused()
    {
        // A real client's patience: nothing should hang in a planned switchover.
        await InLabAsync(Options("switchover") with { RequestTimeout = TimeSpan.FromSeconds(2) }, async lab =>
        {
            var result = await lab.SwitchoverAsync();

            Assert.True(result.Failover < OneSecond, $"{result}\n{lab.Logs()}");
            Assert.Equal(0, lab.A.Fulcrum!.ExitCode);
            // The old master kept accepting through the grace and answered what it held, and with second-chance the new
            // master handed it the packets of connections whose handshake straddled the clients' ARP update: nothing fails.
            Assert.True(result.Failed == 0, $"{result}\n{lab.Logs()}");
            Assert.True(result.Succeeded > 100, $"too little load through the switchover: {result}");
        });
    }

    [NetnsFact]
    public async Task PlannedSwitchover_AConnectionWhoseRequestReachesTheNewMaster_IsHandedToTheOldOne_WithSecondChance()
    {
        await InLabAsync(Options("straddle") with { RequestTimeout = TimeSpan.FromSeconds(2) }, async lab =>
        {
            var answer = await lab.StraddlingConnectionAsync();

            // Node b has never heard of the connection; its second-chance rule hands the packet to node a, which answers.
            Assert.True(answer.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) && answer.EndsWith("X-Node: a", StringComparison.OrdinalIgnoreCase),
                $"{answer}\n{lab.Logs()}");
        });
    }

    [NetnsFact]
    public async Task PlannedSwitchover_WithoutSecondChance_TheNewMasterResetsAConnectionItNeverSaw()
    {
        // The failure second-chance exists for, shown: so the test above proves the rules, not a lucky ARP entry.
        await InLabAsync(Options("straddle-off") with { RequestTimeout = TimeSpan.FromSeconds(2), SecondChance = false }, async lab =>
        {
            var answer = await lab.StraddlingConnectionAsync();

            Assert.True(answer.StartsWith("error:", StringComparison.Ordinal), $"{answer}\n{lab.Logs()}");
        });
    }

    /// <summary>Builds the lab in a fresh directory; its configs and logs go with it when the test ends (failures quote the logs).</summary>
    private async Task InLabAsync(HaLabOptions options, Func<HaLab, Task> test)
    {
        try
        {
            await using var lab = await HaLab.StartAsync(options, output.WriteLine);
            await test(lab);
        }
        finally
        {
            if (System.IO.Directory.Exists(options.Directory)) System.IO.Directory.Delete(options.Directory, recursive: true);
        }
    }

    private static HaLabOptions Options(string scenario) => new()
    {
        FulcrumDll = FulcrumProcess.DllPath,
        Directory = Path.Combine(Path.GetTempPath(), $"fulcrum-ha-{scenario}-{Guid.NewGuid():N}"),
    };
}
