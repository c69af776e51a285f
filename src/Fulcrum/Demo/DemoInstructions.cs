using Fulcrum.Hosting;

namespace Fulcrum.Demo;

/// <summary>What `fulcrum demo` prints: where things listen and curl commands to try.</summary>
public static class DemoInstructions
{
    public static void Write(TextWriter output, IReadOnlyList<DemoBackend> backends, BalancerHost host)
    {
        // The bound endpoint has the real port when the config asked for port 0.
        var balancer = host.BoundEndpoints.TryGetValue(DemoConfig.ListenerName, out var bound)
            ? $"http://{bound}"
            : $"http://{host.Store.Current.Config.Listeners[0].Bind}";
        output.WriteLine();
        output.WriteLine($"Fulcrum demo: {backends.Count} backends behind one balancer.");
        foreach (var backend in backends)
        {
            output.WriteLine($"  backend {backend.Name}: {backend.Url}");
        }

        output.WriteLine($"  balancer: {balancer}/");
        output.WriteLine();
        output.WriteLine("Try:");
        output.WriteLine($"  for i in 1 2 3 4 5 6; do curl -s {balancer}/; done    # round robin: demo-1, demo-2, demo-3, demo-1, ...");
        output.WriteLine($"  curl -s '{balancer}/?delay=2000'                        # a slow request: the backend waits 2 s");
        output.WriteLine($"  curl -si '{balancer}/?status=503'                       # a failing one: the backend's 503 comes through");
        output.WriteLine($"  curl -s {balancer}/ -w ' %{{http_code}} in %{{time_total}}s\\n'        # status and timing");
        output.WriteLine($"  curl -si {balancer}/ | grep -i x-served-by                  # the served-by filter names the backend that answered");
        if (host.BoundEndpoints.TryGetValue(DemoConfig.HttpsListenerName, out var secureEndpoint))
        {
            var secure = $"https://localhost:{secureEndpoint.Port}";
            output.WriteLine();
            output.WriteLine($"  https: {secure}/   (self-signed certificate for localhost: curl -k)");
            output.WriteLine($"  curl -sk --http2 {secure}/ -w ' over HTTP/%{{http_version}}\\n'     # TLS and HTTP/2 at the balancer, HTTP/1.1 to the backend");
            output.WriteLine($"  for i in 1 2 3; do curl -sk -c jar -b jar {secure}/sticky/; done   # cookie affinity: the same backend each time");
        }
        if (host.AdminEndpoint is { } adminEndpoint)
        {
            var admin = $"http://{adminEndpoint}";
            output.WriteLine();
            output.WriteLine($"  admin API: {admin}/");
            output.WriteLine($"  curl -s {admin}/api/pools/{DemoConfig.PoolName}                        # backends: state, health, active, totals, latency");
            output.WriteLine($"  curl -s -X POST {admin}/api/pools/{DemoConfig.PoolName}/backends/demo-2/drain   # demo-2 takes no new requests");
            output.WriteLine($"  curl -s -X POST {admin}/api/pools/{DemoConfig.PoolName}/backends/demo-2/ready   # and back");
            output.WriteLine($"  curl -s {admin}/metrics                                 # Prometheus text");
        }
        output.WriteLine();
        output.WriteLine("Press Ctrl-C to stop.");
        output.Flush();
    }
}
