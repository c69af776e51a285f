namespace Fulcrum.Bench.Soak;

/// <summary>A backend the chaos can kill (like a crashed process: listener gone, connections reset) and restart on its port.</summary>
public interface ISoakBackend : IAsyncDisposable
{
    /// <summary>Its id in the pool (the config's `name`).</summary>
    string Name { get; }

    int Port { get; }

    /// <summary>The channels whose traffic it serves.</summary>
    Channel[] Channels { get; }

    Task KillAsync();

    Task RestartAsync();
}
