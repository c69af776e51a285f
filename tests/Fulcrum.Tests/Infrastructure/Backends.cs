using Fulcrum.Demo;

namespace Fulcrum.Tests.Infrastructure;

/// <summary>Demo backends named b1..bN on OS-chosen ports, stopped together.</summary>
public sealed class Backends : IAsyncDisposable
{
    private Backends(DemoBackend[] all)
    {
        All = all;
    }

    public DemoBackend[] All { get; }

    public DemoBackend this[int index] => All[index];

    public static async Task<Backends> StartAsync(int count)
    {
        var all = new DemoBackend[count];
        for (var i = 0; i < count; i++)
        {
            all[i] = await DemoBackend.StartAsync($"b{i + 1}");
        }

        return new Backends(all);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var backend in All)
        {
            await backend.DisposeAsync();
        }
    }
}
