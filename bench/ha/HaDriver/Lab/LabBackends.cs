using System.Diagnostics;
using System.Net;

namespace Fulcrum.Bench.Ha.Lab;

/// <summary>nginx in the backends' namespace: one worker, a server per port answering its own name.</summary>
public static class LabBackends
{
    public static readonly int[] Ports = [8081, 8082];

    public static async Task<LabProcess> StartAsync(LabMember member, string directory, Stopwatch clock, TimeSpan timeout)
    {
        var prefix = Path.Combine(directory, "nginx");
        Directory.CreateDirectory(prefix);
        var servers = string.Concat(Ports.Select(port => $$"""
                server {
                    listen {{member.Address}}:{{port}};
                    keepalive_requests 100000;
                    location / { return 200 "backend {{port}}\n"; }
                }

            """));
        var conf = Path.Combine(prefix, "nginx.conf");
        File.WriteAllText(conf, $$"""
            worker_processes 1;
            error_log {{prefix}}/error.log warn;
            pid {{prefix}}/nginx.pid;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{prefix}}/body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                uwsgi_temp_path {{prefix}}/uwsgi;
                scgi_temp_path {{prefix}}/scgi;
            {{servers}}}
            """);
        var nginx = LabProcess.Start("nginx", Path.Combine(directory, "nginx.log"), clock, "ip",
            ["netns", "exec", member.Namespace, "nginx", "-p", prefix, "-c", conf, "-g", "daemon off;"]);
        using var sockets = new NetnsSockets(member.Namespace);
        var deadline = Stopwatch.StartNew();
        foreach (var port in Ports)
        {
            while (await sockets.GetStringAsync(new Uri($"http://{member.Address}:{port}/"), TimeSpan.FromSeconds(2)) is null)
            {
                if (nginx.HasExited || deadline.Elapsed > timeout) throw new InvalidOperationException($"nginx did not serve {member.Address}:{port}:\n{nginx.Tail()}\n{ErrorLog(prefix)}");
                await Task.Delay(20);
            }
        }

        return nginx;
    }

    public static IEnumerable<string> Addresses(IPAddress address) => Ports.Select(p => $"{address}:{p}");

    private static string ErrorLog(string prefix) => File.Exists(Path.Combine(prefix, "error.log")) ? File.ReadAllText(Path.Combine(prefix, "error.log")) : "";
}
