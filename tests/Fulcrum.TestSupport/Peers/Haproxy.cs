namespace Fulcrum.TestSupport.Peers;

/// <summary>HAProxy as a peer, in the foreground (-db) with its defaults for http mode.</summary>
public static class Haproxy
{
    /// <summary>An HAProxy reverse proxy to one backend, keep-alive both ways.</summary>
    public static Task<PeerProcess> StartProxyAsync(string backend) => PeerProcess.StartAsync("haproxy", "haproxy.cfg",
        (_, port) => $"""
            global
                maxconn 256
            defaults
                mode http
                timeout connect 5s
                timeout client 10s
                timeout server 10s
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server s1 {backend}

            """,
        (_, file) => ["-f", file, "-db"], "haproxy.log");
}
