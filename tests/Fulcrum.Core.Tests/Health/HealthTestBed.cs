using System.Collections.Concurrent;
using System.Collections.Immutable;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Core.Tests.Health;

/// <summary>A topology store on a manual clock with a logger that keeps every message.</summary>
internal sealed class HealthTestBed
{
    /// <param name="inherited">A state captured from another store, as a process that took over from another restores it.</param>
    public HealthTestBed(PoolConfig pool, Fulcrum.Core.Handover.RuntimeState? inherited = null)
    {
        Services = new BalancerServices(Time, new Random(7)) { LoggerFactory = Logs };
        Store = new TopologyStore(Config(pool), Services, inherited);
        Operations = new BackendOperations(Store);
    }

    public ManualTimeProvider Time { get; } = new();
    public ListLoggerFactory Logs { get; } = new();
    public BalancerServices Services { get; }
    public TopologyStore Store { get; }
    public BackendOperations Operations { get; }
    public Pool Pool => Store.Current.Pools["p"];
    public Backend this[string id] => Pool.Find(id)!;

    public static PoolConfig PoolOf(int count, int weight = 1) => new()
    {
        Name = "p",
        Backends = Enumerable.Range(0, count)
            .Select(i => new BackendConfig { Name = ((char)('a' + i)).ToString(), Address = $"127.0.0.1:{9000 + i}", Weight = weight })
            .ToImmutableArray(),
    };

    public static FulcrumConfig Config(PoolConfig pool) => new() { Pools = [pool] };

    public void Fail(Backend b, int times, Outcome outcome = Outcome.ServerError)
    {
        for (var i = 0; i < times; i++) b.Acquire(Time).Release(outcome);
    }

    public Dictionary<string, int> Picks(int count)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < count; i++)
        {
            var id = Pool.Pick(PickContext.None)?.Id ?? "none";
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }

        return counts;
    }
}

internal sealed class ListLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public bool Has(string text) => Messages.Any(m => m.Contains(text, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new ListLogger(Messages);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class ListLogger(ConcurrentQueue<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue(formatter(state, exception));
    }
}
