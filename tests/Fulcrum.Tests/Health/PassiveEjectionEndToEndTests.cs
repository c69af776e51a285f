using Fulcrum.Core.Model;

namespace Fulcrum.Tests.Health;

public sealed class PassiveEjectionEndToEndTests
{
    private const string Pool = """
            algorithm: round-robin
            health:
              passive: { consecutive-failures: 3, eject-for: 5s, max-eject-for: 5s, max-ejected: 50% }
              panic-threshold: 0%
            retries: { attempts: 1 }
        """;

    [Fact]
    public async Task BackendsAnswering503_AreEjected_UpToMaxEjected_AndReturnWhenTheyHeal()
    {
        await using var b1 = await HealthBackend.StartAsync("b1");
        await using var b2 = await HealthBackend.StartAsync("b2");
        await using var b3 = await HealthBackend.StartAsync("b3");
        await using var b4 = await HealthBackend.StartAsync("b4");
        await using var lb = await HealthHarness.StartAsync(HealthHarness.Yaml(Pool, b1, b2, b3, b4));
        b2.Sick = b3.Sick = b4.Sick = true;

        // Round robin sends every fourth request to each; 40 requests give each sick backend its 3 failures.
        for (var i = 0; i < 40; i++) await lb.Client.GetAsync("/");
        var pool = lb.Pool();
        var ejected = pool.Backends.Where(b => b.HealthDetail.IsEjected).Select(b => b.Id).ToList();
        Assert.Equal(2, ejected.Count); // max-ejected 50% of 4
        Assert.DoesNotContain("b1", ejected);
        var view = await lb.PoolViewAsync();
        Assert.Equal(2, view.GetProperty("backends").EnumerateArray().Count(b => b.GetProperty("ejected").GetBoolean()));

        b2.Sick = b3.Sick = b4.Sick = false;
        await Poll.UntilAsync(() => pool.Backends.All(b => !b.HealthDetail.IsEjected), "ejections over");
        var seen = new HashSet<string>();
        for (var i = 0; i < 8; i++) seen.Add(await lb.Client.GetStringAsync("/"));
        Assert.Equal(["b1", "b2", "b3", "b4"], seen.Order());
    }
}
