using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Fulcrum.L4.Tests.Support;

/// <summary>
/// A private nginx (own prefix dir, foreground) on a free 127.0.0.1 port. nginx cannot listen on port 0,
/// so we take a port from the OS by binding and closing a socket, and retry if someone grabbed it meanwhile.
/// </summary>
internal sealed class NginxProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _prefix;

    private NginxProcess(Process process, string prefix, int port)
    {
        _process = process;
        _prefix = prefix;
        Port = port;
    }

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Starts nginx with `body` as the http{} contents; {PORT} in it is replaced by the chosen port.</summary>
    public static async Task<NginxProcess> StartHttpAsync(string body)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var prefix = Directory.CreateTempSubdirectory("fulcrum-nginx-").FullName;
            var conf = $$"""
                worker_processes 1;
                error_log {{prefix}}/error.log warn;
                pid {{prefix}}/nginx.pid;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path {{prefix}}/body;
                    proxy_temp_path {{prefix}}/proxy;
                    fastcgi_temp_path {{prefix}}/fastcgi;
                    uwsgi_temp_path {{prefix}}/uwsgi;
                    scgi_temp_path {{prefix}}/scgi;
                    {{body.Replace("{PORT}", port.ToString())}}
                }
                """;
            File.WriteAllText(Path.Combine(prefix, "nginx.conf"), conf);
            var psi = new ProcessStartInfo("nginx", ["-p", prefix, "-c", Path.Combine(prefix, "nginx.conf"), "-g", "daemon off;"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            var process = Process.Start(psi)!;
            var deadline = DateTime.UtcNow + Poll.Deadline;
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                if (await CanConnectAsync(port)) return new NginxProcess(process, prefix, port);
                await Task.Delay(20);
            }

            var log = File.Exists(Path.Combine(prefix, "error.log")) ? File.ReadAllText(Path.Combine(prefix, "error.log")) : "";
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
            if (attempt >= 5 || !log.Contains("Address already in use")) throw new InvalidOperationException($"nginx did not start: {log}");
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                // The whole tree: killing only the master leaves its worker running, still listening on the port.
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_prefix, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static async Task<bool> CanConnectAsync(int port)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await s.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
