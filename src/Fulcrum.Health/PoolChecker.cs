using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Health.Probes;

namespace Fulcrum.Health;

/// <summary>
/// The active checks (or the agent checks) of one pool: one <see cref="ProbeLoop"/> per backend, one probe (and
/// handler) for all.
/// </summary>
internal sealed class PoolChecker : IDisposable
{
    private readonly Dictionary<Backend, ProbeLoop> _loops = new(ReferenceEqualityComparer.Instance);
    private readonly IHealthProbe _probe;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly bool _reportsHealth = true;

    /// <summary>The agent checks of a pool: they set what the backends report, not their health.</summary>
    public PoolChecker(AgentCheckConfig agent, TimeProvider time, Random random)
    {
        Config = agent.AsProbe();
        _time = time;
        _random = random;
        _probe = new AgentProbe();
        _reportsHealth = false;
    }

    public PoolChecker(ActiveHealthConfig config, PoolTlsConfig? tls, Func<DnsEndPoint, CancellationToken, ValueTask<Stream>>? connect, TimeProvider time, Random random)
    {
        Config = config;
        Tls = tls;
        _time = time;
        _random = random;
        _probe = config.Type switch
        {
            HealthCheckType.Tcp => new TcpProbe(),
            HealthCheckType.Udp => new UdpProbe(),
            HealthCheckType.Grpc => new GrpcProbe(tls is not null, connect),
            _ => new HttpProbe(tls is not null, connect),
        };
    }

    public ActiveHealthConfig Config { get; }

    /// <summary>The pool's tls block the probes were set up with (a reload that changes it makes a new checker).</summary>
    public PoolTlsConfig? Tls { get; }

    /// <summary>Starts loops for new backends and stops the loops of backends that left.</summary>
    public void Follow(Pool pool)
    {
        List<Backend>? gone = null;
        foreach (var backend in _loops.Keys)
        {
            if (!ReferenceEquals(pool.Find(backend.Id), backend)) (gone ??= []).Add(backend);
        }

        if (gone is not null)
        {
            foreach (var backend in gone)
            {
                _loops.Remove(backend, out var loop);
                loop!.Dispose();
            }
        }

        foreach (var backend in pool.Backends)
        {
            if (_loops.ContainsKey(backend)) continue;
            var loop = new ProbeLoop(backend, Config, _probe, _time, _random, _reportsHealth);
            _loops.Add(backend, loop);
            loop.Start();
        }
    }

    public void Dispose()
    {
        foreach (var loop in _loops.Values) loop.Dispose();
        _loops.Clear();
        _probe.Dispose();
    }
}
