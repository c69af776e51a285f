namespace Fulcrum.TestSupport.Http;

/// <summary>Several <see cref="TestBackend"/>s started together and stopped together.</summary>
public sealed class Backends : IAsyncDisposable
{
    private Backends(TestBackend[] all) => All = all;

    public TestBackend[] All { get; }
    public TestBackend this[int index] => All[index];

    public static async Task<Backends> StartAsync(params string[] names)
    {
        var all = await Task.WhenAll(names.Select(name => TestBackend.StartAsync(name)));
        return new Backends(all);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var backend in All) await backend.DisposeAsync();
    }
}
