namespace Fulcrum.Core.Configuration;

/// <summary>`health.active:` probes run by the pool's checker on its own timers. Defaults follow HAProxy.</summary>
public sealed record ActiveHealthConfig
{
    /// <summary>`type:` http (the default), tcp, udp or grpc.</summary>
    public HealthCheckType Type { get; init; } = HealthCheckType.Http;
    /// <summary>`path:` of the HTTP GET (default /).</summary>
    public string Path { get; init; } = "/";
    /// <summary>`host:` Host header of the probe (default: the backend's address).</summary>
    public string? Host { get; init; }
    /// <summary>`expect:` the status range that passes (default 200-399).</summary>
    public StatusCodeRange Expect { get; init; } = StatusCodeRange.Default;
    /// <summary>`body:` a substring the response body must contain (default: not checked).</summary>
    public string? Body { get; init; }
    /// <summary>`send:` udp checks: the datagram to send, as text, or as hex digits after `hex:` (default `ping`).</summary>
    public string Send { get; init; } = "ping";
    /// <summary>`service:` grpc checks: the service name asked about (default empty: the server as a whole).</summary>
    public string Service { get; init; } = "";
    /// <summary>`port:` probe this port instead of the backend's (default: the backend's).</summary>
    public int? Port { get; init; }
    /// <summary>`interval:` between probes of one backend (default 2s).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>`timeout:` of one probe (default 1s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>`rise:` consecutive passes that bring a down backend up (default 2).</summary>
    public int Rise { get; init; } = 2;
    /// <summary>`fall:` consecutive failures that take an up backend down (default 3).</summary>
    public int Fall { get; init; } = 3;
    /// <summary>`jitter:` each interval is randomly shortened or lengthened by up to this share (default 10%).</summary>
    public double Jitter { get; init; } = 0.1;
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
