using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Observability;

/// <summary>
/// The access logs in use, one per distinct destination and format, shared by every listener that names
/// the same one. Planes ask for a listener's log when they apply its config, never per request. Each log's
/// writer comes from <see cref="BalancerServices.AccessLogWriters"/>; without one (a unit test), lines are
/// written when someone calls <see cref="AccessLog.WriteQueued"/>, and at <see cref="Dispose"/> on its thread.
/// </summary>
public sealed class AccessLogRegistry : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<AccessLogConfig, (AccessLog Log, IDisposable? Writer)> _logs = new(new SameDestination());
    private readonly BalancerServices _services;
    private bool _disposed;

    public AccessLogRegistry(BalancerServices services) => _services = services;

    public AccessLogCounters Counters { get; } = new();

    /// <summary>The log a listener writes to: its own `access-log`, else the top-level one; null when none (or `enabled: false`).</summary>
    public AccessLog? For(ListenerConfig listener, FulcrumConfig config)
    {
        var wanted = listener.AccessLog ?? config.AccessLog;
        if (wanted is null || !wanted.Enabled || wanted.Sample <= 0) return null;
        lock (_lock)
        {
            if (_disposed) return null;
            if (_logs.TryGetValue(wanted, out var open)) return open.Log;
            // Sampling draws from the services' random source, as balancers do, so a test can make it exact.
            var log = new AccessLog(wanted, Counters, _services.Random);
            _logs[wanted] = (log, _services.AccessLogWriters?.Start(log));
            return log;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var (log, writer) in _logs.Values)
            {
                log.Dispose();
                if (writer is not null) writer.Dispose();
                else log.WriteQueued();
            }

            _logs.Clear();
        }
    }

    private sealed class SameDestination : IEqualityComparer<AccessLogConfig>
    {
        public bool Equals(AccessLogConfig? x, AccessLogConfig? y) =>
            x is not null && y is not null && x.Path == y.Path && x.Format == y.Format && x.Sample.Equals(y.Sample) && x.Buffer == y.Buffer;

        public int GetHashCode(AccessLogConfig obj) => HashCode.Combine(obj.Path, obj.Format, obj.Sample);
    }
}
