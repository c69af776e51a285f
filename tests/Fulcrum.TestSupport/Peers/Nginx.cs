namespace Fulcrum.TestSupport.Peers;

/// <summary>nginx as a peer: one worker, its temp paths in the private directory.</summary>
public static class Nginx
{
    /// <summary>Starts nginx with <paramref name="body"/> as the http{} contents; {PORT} in it is replaced by the chosen port.</summary>
    public static Task<PeerProcess> StartHttpAsync(string body) => PeerProcess.StartAsync("nginx", "nginx.conf",
        (directory, port) => $$"""
            worker_processes 1;
            error_log {{directory}}/error.log warn;
            pid {{directory}}/nginx.pid;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                {{body.Replace("{PORT}", port.ToString())}}
            }
            """,
        (directory, file) => ["-p", directory, "-c", file, "-g", "daemon off;"], "error.log");

    /// <summary>An nginx reverse proxy to one backend, keep-alive both ways, as the benchmarks configure it.</summary>
    public static Task<PeerProcess> StartProxyAsync(string backend) => StartHttpAsync($$"""
        upstream backend { server {{backend}}; keepalive 16; }
        server {
            listen 127.0.0.1:{PORT};
            location / {
                proxy_pass http://backend;
                proxy_http_version 1.1;
                proxy_set_header Connection "";
            }
        }
        """);
}
