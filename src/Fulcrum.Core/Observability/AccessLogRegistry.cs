using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Observability;

/// <summary>
/// The access logs in use, one per distinct destination and format, shared by every listener that names
/// the same one. Planes ask for a listener's log when they apply its config, never per request.
/// </summary>
public sealed class AccessLogRegistry : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<AccessLogConfig, AccessLog> _logs = new(new SameDestination());
    private bool _disposed;

    public AccessLogCounters Counters { get; } = new();

    /// <summary>The log a listener writes to: its own `access-log`, else the top-level one; null when none (or `enabled: false`).</summary>
    public AccessLog? For(ListenerConfig listener, FulcrumConfig config)
    {
        var wanted = listener.AccessLog ?? config.AccessLog;
        if (wanted is null || !wanted.Enabled || wanted.Sample <= 0) return null;
        lock (_lock)
        {
            if (_disposed) return null;
            if (!_logs.TryGetValue(wanted, out var log)) _logs[wanted] = log = new AccessLog(wanted, Counters);
            return log;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var log in _logs.Values) log.Dispose();
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
