using System.Diagnostics;
using System.Diagnostics.Metrics;
using Fulcrum.Core.Cluster;
using Fulcrum.Core.Model;
using Fulcrum.Core.Protection;

namespace Fulcrum.Core.Observability;

/// <summary>
/// The "Fulcrum" <see cref="Meter"/>: every instrument is observable, so the request path pays nothing for
/// metrics: the callbacks read the counters the data planes already keep (<see cref="BackendStats"/>,
/// <see cref="ListenerStats"/>) when a collector asks (a Prometheus scrape, an OpenTelemetry reader).
/// Names follow OpenTelemetry's dotted style; the Prometheus exporter turns `.` into `_` and adds `_total`
/// to counters. docs/metrics.md lists them all. The latency histograms are exported straight from
/// <see cref="BackendStats.Latency"/> and <see cref="RouteStats.Latency"/>, since an observable histogram does not exist in the API.
/// </summary>
public sealed class FulcrumMetrics : IDisposable
{
    public const string MeterName = "Fulcrum";
    private static readonly string[] StateNames = ["up", "down", "draining", "maintenance", "backup"];
    private static readonly string[] ErrorKinds = ["connect", "timeout", "reset", "5xx"];
    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];
    private readonly TopologyStore _store;
    private readonly AccessLogCounters _accessLog;

    /// <param name="store">The topology whose live counters the instruments read.</param>
    /// <param name="cluster">The cluster's state, for the `fulcrum.cluster.*` instruments; none without a `cluster:` section.</param>
    public FulcrumMetrics(TopologyStore store, IClusterView? cluster = null)
    {
        _store = store;
        _accessLog = store.AccessLogs.Counters;
        Meter = new Meter(MeterName);
        var m = Meter;
        m.CreateObservableCounter("fulcrum.listener.connections", () => Listeners(static l => l.Connections), null, "connections accepted by the listener (udp: sessions)");
        m.CreateObservableGauge("fulcrum.listener.connections.active", () => Listeners(static l => l.ActiveConnections), null, "client connections open now");
        m.CreateObservableCounter("fulcrum.listener.requests", () => Listeners(static l => l.Requests), null, "requests (http) or connections (tcp) or sessions (udp) handled");
        m.CreateObservableCounter("fulcrum.listener.bytes.received", () => Listeners(static l => l.BytesReceived), "By", "bytes received from clients");
        m.CreateObservableCounter("fulcrum.listener.bytes.sent", () => Listeners(static l => l.BytesSent), "By", "bytes sent to clients");
        m.CreateObservableCounter("fulcrum.listener.datagrams.received", () => DatagramListeners(static l => l.DatagramsReceived), null, "datagrams received from clients (udp listeners)");
        m.CreateObservableCounter("fulcrum.listener.datagrams.sent", () => DatagramListeners(static l => l.DatagramsSent), null, "datagrams sent to clients (udp listeners)");

        m.CreateObservableCounter("fulcrum.backend.requests", BackendRequests, null, "work the backend finished (requests or connections) by HTTP status class; none when it gave no answer or is not http");
        m.CreateObservableCounter("fulcrum.backend.errors", BackendErrors, null, "failed work by kind: connect, timeout, reset, 5xx");
        m.CreateObservableGauge("fulcrum.backend.active", () => Backends(static b => b.Stats.Active), null, "work in flight on the backend");
        m.CreateObservableCounter("fulcrum.backend.bytes.sent", () => Backends(static b => b.Stats.BytesSent), "By", "bytes sent to the backend");
        m.CreateObservableCounter("fulcrum.backend.bytes.received", () => Backends(static b => b.Stats.BytesReceived), "By", "bytes received from the backend");
        m.CreateObservableGauge("fulcrum.backend.up", () => Backends(static b => b.IsUsable ? 1 : 0), null, "1 when the backend may take new work");
        m.CreateObservableGauge("fulcrum.backend.health", () => Backends(static b => b.Health == HealthStatus.Up ? 1 : 0), null, "1 when health checks say up, apart from operator intent");
        m.CreateObservableGauge("fulcrum.backend.state", BackendStates, null, "1 for the backend's current state: up, down, draining, maintenance or backup");
        m.CreateObservableGauge("fulcrum.backend.weight", () => Backends(static b => b.Weight), null, "configured weight");
        m.CreateObservableGauge("fulcrum.backend.effective_weight", () => Backends(static b => b.EffectiveWeight), null, "weight after slow start");
        m.CreateObservableCounter("fulcrum.backend.ejections", () => Backends(static b => b.HealthDetail.EjectionsTotal), null, "passive-health ejections");
        m.CreateObservableCounter("fulcrum.backend.drains", () => Backends(static b => b.Stats.Drains), null, "drains started (operator drain or removal)");

        m.CreateObservableCounter("fulcrum.pool.retries", () => Pools(static p => p.Retries.Started), null, "retries sent to another backend (restarts at 0 when a reload rebuilds the pool)");
        m.CreateObservableGauge("fulcrum.pool.panic", () => Pools(static p => p.InPanic ? 1 : 0), null, "1 while the pool is in panic mode (too few healthy backends, all are used)");
        m.CreateObservableGauge("fulcrum.pool.backends.usable", () => Pools(UsableCount), null, "backends that may take new work");

        m.CreateObservableGauge("fulcrum.pool.requests.active", () => Guarded(static a => a.Requests), null, "requests admitted to a pool with a circuit breaker or adaptive concurrency and not finished, pending ones included");
        m.CreateObservableGauge("fulcrum.pool.requests.pending", () => Guarded(static a => a.Pending), null, "requests (http) or connections (tcp) waiting for a connection slot or a backend");
        m.CreateObservableGauge("fulcrum.pool.connections.active", () => Guarded(static a => a.Connections), null, "connection slots in use: tcp connections, or http requests on the backend leg");
        m.CreateObservableGauge("fulcrum.pool.retries.active", () => Guarded(static a => a.Retries), null, "retries in flight");
        m.CreateObservableGauge("fulcrum.pool.circuit_breaker.open", BreakerOpen, null, "1 while a circuit-breaker threshold is reached (new work of that kind is refused), by threshold");
        m.CreateObservableCounter("fulcrum.pool.admission.rejected", Rejected, null, "work a pool's circuit breaker or adaptive concurrency limit refused, by protection and reason");
        m.CreateObservableGauge("fulcrum.pool.concurrency.limit", () => Limits(static (a, l) => l.Limit), null, "the adaptive concurrency limit");
        m.CreateObservableGauge("fulcrum.pool.concurrency.in_flight", () => Limits(static (a, l) => a.Limited), null, "requests in flight under the adaptive concurrency limit");
        m.CreateObservableGauge("fulcrum.pool.concurrency.min_rtt.seconds", () => LimitTimes(static l => l.MinRtt), "s", "the backends' latency when idle, as last measured");
        m.CreateObservableGauge("fulcrum.pool.concurrency.sample_rtt.seconds", () => LimitTimes(static l => l.SampleRtt), "s", "the last window's latency percentile");
        m.CreateObservableGauge("fulcrum.pool.concurrency.measuring", () => Limits(static (a, l) => l.Measuring ? 1 : 0), null, "1 while the minRTT is measured (the limit is pinned to min-concurrency)");

        m.CreateObservableCounter("fulcrum.route.requests", RouteRequests, null, "http requests a route answered, by the status class sent to the client");

        m.CreateObservableCounter("fulcrum.protection.decisions", ProtectionDecisions, null, "what the edge protections decided, by listener, route, protection, decision and reason");

        m.CreateObservableCounter("fulcrum.cache.requests", CacheRequests, null, "requests a route's cache handled, by result: hit, stale, revalidated, collapsed, miss, bypass");
        m.CreateObservableCounter("fulcrum.cache.stored", () => Caches(static c => c.Counters.StoredTotal), null, "responses written into a route's cache");
        m.CreateObservableCounter("fulcrum.cache.evictions", () => Caches(static c => c.Counters.EvictedTotal), null, "entries evicted to make room (SIEVE)");
        m.CreateObservableCounter("fulcrum.cache.purged", () => Caches(static c => c.Counters.PurgedTotal), null, "entries removed by a purge or by an unsafe request");
        m.CreateObservableGauge("fulcrum.cache.bytes", () => Caches(static c => c.Bytes), "By", "bytes a route's cache holds now");
        m.CreateObservableGauge("fulcrum.cache.max_bytes", () => Caches(static c => c.MaxBytes), "By", "a route's cache max-size");
        m.CreateObservableGauge("fulcrum.cache.entries", () => Caches(static c => (long)c.Entries), null, "responses a route's cache holds now, each variant counted");

        m.CreateObservableCounter("fulcrum.access_log.lines", () => _accessLog.Written, null, "access log lines written");
        m.CreateObservableCounter("fulcrum.access_log.dropped", () => _accessLog.Dropped, null, "access log lines dropped because the writer fell behind");

        m.CreateObservableCounter("fulcrum.process.cpu.seconds", static () => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, "s", "CPU time used by the process, user and system");
        m.CreateObservableGauge("fulcrum.process.memory.bytes", ProcessMemory, "By", "memory: working_set (resident), gc_heap (managed heap), gc_committed");
        m.CreateObservableCounter("fulcrum.process.gc.collections", GcCollections, null, "garbage collections by generation");
        // Bytes allocated per request (this over the requests counters) is what sets how often gen0 collections pause the
        // event loops; it is the figure to watch when a change touches the request path.
        m.CreateObservableCounter("fulcrum.process.gc.allocated.bytes", static () => GC.GetTotalAllocatedBytes(), "By", "bytes allocated on the managed heap since the start");
        m.CreateObservableGauge("fulcrum.process.threadpool.threads", static () => (long)ThreadPool.ThreadCount, null, "thread pool threads");
        m.CreateObservableGauge("fulcrum.process.threadpool.queue.length", static () => ThreadPool.PendingWorkItemCount, null, "work items waiting for a thread pool thread");
        m.CreateObservableCounter("fulcrum.process.threadpool.completed.items", static () => ThreadPool.CompletedWorkItemCount, null, "work items the thread pool completed");
        m.CreateObservableGauge("fulcrum.process.connections.open", OpenConnections, null, "client connections open on all listeners");
        if (cluster is not null) ClusterMetrics.AddTo(m, cluster);
    }

    public Meter Meter { get; }

    public TopologyStore Store => _store;

    private IEnumerable<Measurement<long>> Listeners(Func<ListenerStats, long> value)
    {
        foreach (var l in _store.Listeners.All) yield return new Measurement<long>(value(l), new KeyValuePair<string, object?>("listener", l.Name));
    }

    private IEnumerable<Measurement<long>> Guarded(Func<PoolAdmission, long> value)
    {
        foreach (var p in _store.Current.Pools.Values)
        {
            if (p.Admission is { } a) yield return new Measurement<long>(value(a), new KeyValuePair<string, object?>("pool", p.Name));
        }
    }

    private IEnumerable<Measurement<long>> Limits(Func<PoolAdmission, GradientLimit, long> value)
    {
        foreach (var p in _store.Current.Pools.Values)
        {
            if (p.Admission is { Concurrency: { } l } a) yield return new Measurement<long>(value(a, l), new KeyValuePair<string, object?>("pool", p.Name));
        }
    }

    private IEnumerable<Measurement<double>> LimitTimes(Func<GradientLimit, TimeSpan> value)
    {
        foreach (var p in _store.Current.Pools.Values)
        {
            if (p.Admission?.Concurrency is { } l) yield return new Measurement<double>(value(l).TotalSeconds, new KeyValuePair<string, object?>("pool", p.Name));
        }
    }

    private static readonly AdmissionDecision[] Thresholds =
        [AdmissionDecision.MaxConnections, AdmissionDecision.MaxPending, AdmissionDecision.MaxRequests, AdmissionDecision.MaxRetries];

    private IEnumerable<Measurement<long>> BreakerOpen()
    {
        foreach (var p in _store.Current.Pools.Values)
        {
            if (p.Admission is not { Breaker: not null } a) continue;
            foreach (var t in Thresholds)
                yield return new Measurement<long>(a.IsOpen(t) ? 1 : 0, new KeyValuePair<string, object?>("pool", p.Name), new KeyValuePair<string, object?>("threshold", AdmissionReasons.Name(t)));
        }
    }

    private IEnumerable<Measurement<long>> Rejected()
    {
        foreach (var p in _store.Current.Pools.Values)
        {
            if (p.Admission is not { } a) continue;
            foreach (var reason in AdmissionReasons.Refusals)
            {
                var protection = AdmissionReasons.Protection(reason);
                if (protection == AdmissionReasons.Breaker ? a.Breaker is null : a.Concurrency is null) continue;
                yield return new Measurement<long>(a.Refused(reason), new KeyValuePair<string, object?>("pool", p.Name),
                    new KeyValuePair<string, object?>("protection", protection), new KeyValuePair<string, object?>("reason", AdmissionReasons.Name(reason)));
            }
        }
    }

    private IEnumerable<Measurement<long>> ProtectionDecisions()
    {
        foreach (var c in _store.Protection.All)
        {
            yield return new Measurement<long>(c.Count,
                new KeyValuePair<string, object?>("listener", c.Listener), new KeyValuePair<string, object?>("route", c.Route),
                new KeyValuePair<string, object?>("protection", c.Protection), new KeyValuePair<string, object?>("decision", c.Decision),
                new KeyValuePair<string, object?>("reason", c.Reason));
        }
    }

    private IEnumerable<Measurement<long>> Caches(Func<Caching.IRouteCache, long> value)
    {
        foreach (var c in _store.Caches.All)
            yield return new Measurement<long>(value(c), new KeyValuePair<string, object?>("listener", c.Listener), new KeyValuePair<string, object?>("route", c.Route));
    }

    private IEnumerable<Measurement<long>> CacheRequests()
    {
        foreach (var c in _store.Caches.All)
        {
            foreach (var result in Caching.CacheResultNames.All)
            {
                yield return new Measurement<long>(c.Counters.Requests(result), new KeyValuePair<string, object?>("listener", c.Listener),
                    new KeyValuePair<string, object?>("route", c.Route), new KeyValuePair<string, object?>("result", Caching.CacheResultNames.Of(result)));
            }
        }
    }

    private IEnumerable<Measurement<long>> RouteRequests()
    {
        foreach (var r in _store.Routes.All)
        {
            for (var digit = 1; digit <= 5; digit++)
            {
                yield return new Measurement<long>(r.StatusClass(digit), new KeyValuePair<string, object?>("listener", r.Listener),
                    new KeyValuePair<string, object?>("route", r.Route), new KeyValuePair<string, object?>("class", StatusClasses[digit - 1]));
            }
        }
    }

    private IEnumerable<Measurement<long>> DatagramListeners(Func<ListenerStats, long> value)
    {
        foreach (var l in _store.Listeners.All)
        {
            if (l.CountsDatagrams) yield return new Measurement<long>(value(l), new KeyValuePair<string, object?>("listener", l.Name));
        }
    }

    private IEnumerable<Measurement<long>> Pools(Func<Pool, long> value)
    {
        foreach (var p in _store.Current.Pools.Values) yield return new Measurement<long>(value(p), new KeyValuePair<string, object?>("pool", p.Name));
    }

    private IEnumerable<Measurement<long>> Backends(Func<Backend, long> value)
    {
        foreach (var p in _store.Current.Pools.Values)
        {
            foreach (var b in p.Backends) yield return new Measurement<long>(value(b), Tags(p, b));
        }
    }

    private IEnumerable<Measurement<long>> BackendRequests()
    {
        foreach (var p in _store.Current.Pools.Values)
        {
            foreach (var b in p.Backends)
            {
                var stats = b.Stats;
                long answered = 0;
                for (var digit = 1; digit <= 5; digit++)
                {
                    var n = stats.StatusClass(digit);
                    answered += n;
                    yield return new Measurement<long>(n, Tags(p, b, "class", StatusClasses[digit - 1]));
                }

                yield return new Measurement<long>(Math.Max(0, stats.Total - answered), Tags(p, b, "class", "none"));
            }
        }
    }

    private IEnumerable<Measurement<long>> BackendErrors()
    {
        foreach (var p in _store.Current.Pools.Values)
        {
            foreach (var b in p.Backends)
            {
                var s = b.Stats;
                yield return new Measurement<long>(s.ConnectFailures, Tags(p, b, "kind", ErrorKinds[0]));
                yield return new Measurement<long>(s.Timeouts, Tags(p, b, "kind", ErrorKinds[1]));
                yield return new Measurement<long>(s.Resets, Tags(p, b, "kind", ErrorKinds[2]));
                yield return new Measurement<long>(s.ServerErrors, Tags(p, b, "kind", ErrorKinds[3]));
            }
        }
    }

    private IEnumerable<Measurement<long>> BackendStates()
    {
        foreach (var p in _store.Current.Pools.Values)
        {
            foreach (var b in p.Backends)
            {
                var current = (int)b.State;
                for (var i = 0; i < StateNames.Length; i++) yield return new Measurement<long>(i == current ? 1 : 0, Tags(p, b, "state", StateNames[i]));
            }
        }
    }

    private static long UsableCount(Pool pool)
    {
        var n = 0;
        foreach (var b in pool.Backends)
        {
            if (b.IsUsable) n++;
        }

        return n;
    }

    private long OpenConnections()
    {
        long open = 0;
        foreach (var l in _store.Listeners.All) open += l.ActiveConnections;
        return open;
    }

    private static IEnumerable<Measurement<long>> ProcessMemory()
    {
        var info = GC.GetGCMemoryInfo();
        yield return new Measurement<long>(Environment.WorkingSet, new KeyValuePair<string, object?>("kind", "working_set"));
        yield return new Measurement<long>(GC.GetTotalMemory(false), new KeyValuePair<string, object?>("kind", "gc_heap"));
        yield return new Measurement<long>(info.TotalCommittedBytes, new KeyValuePair<string, object?>("kind", "gc_committed"));
    }

    private static IEnumerable<Measurement<long>> GcCollections()
    {
        for (var g = 0; g <= GC.MaxGeneration; g++) yield return new Measurement<long>(GC.CollectionCount(g), new KeyValuePair<string, object?>("generation", "gen" + g));
    }

    private static TagList Tags(Pool p, Backend b) => new() { { "pool", p.Name }, { "backend", b.Id } };

    private static TagList Tags(Pool p, Backend b, string key, string value) => new() { { "pool", p.Name }, { "backend", b.Id }, { key, value } };

    public void Dispose() => Meter.Dispose();
}
