using System.Text;

namespace Fulcrum.Bench.Soak;

/// <summary>
/// The soak's Fulcrum config: http, https (HTTP/1.1 and HTTP/2), tcp and udp listeners in front of three pools of four
/// backends, with active health checks, retries for idempotent requests and short drain and session timeouts. Every
/// reload writes the next <see cref="Variant"/>: the base, a weight change, the base, a backend list change, again.
/// </summary>
public static class SoakConfig
{
    public const string WebPool = "web";
    public const string StreamPool = "stream";
    public const string DatagramPool = "datagram";

    /// <summary>The variants in turn: 0 and 2 the base, 1 gives each pool's first backend weight 3, 3 leaves each pool's last backend out.</summary>
    public static string Variant(int reload, SoakPorts ports, string certPath, string keyPath)
    {
        var variant = reload % 4;
        var yaml = new StringBuilder();
        yaml.Append($$"""
            admin:
              bind: 127.0.0.1:{{ports.Admin}}
            listeners:
              - name: http
                bind: 127.0.0.1:{{ports.Http}}
                protocol: http
                routes:
                  - pool: {{WebPool}}
              - name: https
                bind: 127.0.0.1:{{ports.Https}}
                protocol: https
                tls:
                  certificates:
                    - { cert: {{certPath}}, key: {{keyPath}} }
                routes:
                  - pool: {{WebPool}}
              - name: tcp
                bind: 127.0.0.1:{{ports.Tcp}}
                protocol: tcp
                pool: {{StreamPool}}
              - name: udp
                bind: 127.0.0.1:{{ports.Udp}}
                protocol: udp
                pool: {{DatagramPool}}
                # Sessions hold a lease on their backend; a short timeout releases them soon after the load stops.
                session-timeout: 5s
            pools:
              - name: {{WebPool}}
                algorithm: weighted-round-robin
                drain-timeout: 10s
                health:
                  active: { path: /health, interval: 1s, timeout: 2s, rise: 1, fall: 2 }
                # Every failure a killed backend causes is retryable for GET. The budget is wide because a kill fails
                # all requests in flight on that backend at once, up to a quarter of the soak's concurrency.
                retries: { attempts: 3, on: [connect-failure, 502, 503, 504], budget: 50%, min-retries: 20 }
                backends:

            """);
        Backends(yaml, "web", ports.Web, variant);
        yaml.Append($$"""
              - name: {{StreamPool}}
                algorithm: least-connections
                drain-timeout: 10s
                health:
                  active: { type: tcp, interval: 1s, timeout: 2s, rise: 1, fall: 2 }
                backends:

            """);
        Backends(yaml, "tcp", ports.Stream, variant);
        yaml.Append($$"""
              - name: {{DatagramPool}}
                algorithm: weighted-round-robin
                drain-timeout: 10s
                health:
                  active: { type: udp, send: ping, interval: 1s, timeout: 2s, rise: 1, fall: 2 }
                backends:

            """);
        Backends(yaml, "udp", ports.Datagram, variant);
        return yaml.ToString();
    }

    /// <summary>The id of a pool's backend number <paramref name="index"/> (0-based): web-1, tcp-2, udp-4.</summary>
    public static string BackendName(string prefix, int index) => $"{prefix}-{index + 1}";

    private static void Backends(StringBuilder yaml, string prefix, int[] ports, int variant)
    {
        var count = variant == 3 ? ports.Length - 1 : ports.Length;
        for (var i = 0; i < count; i++)
        {
            var weight = variant == 1 && i == 0 ? 3 : 1;
            yaml.Append($"      - {{ name: {BackendName(prefix, i)}, address: 127.0.0.1:{ports[i]}, weight: {weight} }}\n");
        }
    }
}
