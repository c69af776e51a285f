namespace Fulcrum.Bench.Upgrade;

/// <summary>
/// The two configs the upgrades alternate between, so every upgrade also changes the config: the second reweights the
/// web pool, changes its algorithm and adds a listener (which the first drops again). Every listener binds port 0 on
/// 127.0.0.1: the new process finds the old one's socket by listener name and configured bind, so the ports stay.
/// </summary>
public static class UpgradeConfig
{
    public static string Write(string directory, int variant, UpgradeBackends backends, string certPath, string keyPath)
    {
        var extra = variant == 1
            ? """
                - name: extra
                  bind: 127.0.0.1:0
                  protocol: http
                  routes: [ { pool: web } ]
              """
            : "";
        var algorithm = variant == 1 ? "least-connections" : "round-robin";
        var weight = variant == 1 ? 3 : 1;
        var yaml = $$"""
            admin:
              bind: 127.0.0.1:0
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes: [ { pool: web } ]
              - name: secure
                bind: 127.0.0.1:0
                protocol: https
                tls:
                  certificates:
                    - { cert: {{certPath}}, key: {{keyPath}} }
                routes: [ { pool: web } ]
              - name: stream
                bind: 127.0.0.1:0
                protocol: tcp
                pool: stream
              - name: datagram
                bind: 127.0.0.1:0
                protocol: udp
                pool: datagram
            {{extra}}
            pools:
              - name: web
                algorithm: {{algorithm}}
                backends:
                  - { name: web-1, address: {{backends.Web[0].Address}}, weight: {{weight}} }
                  - { name: web-2, address: {{backends.Web[1].Address}} }
              - name: stream
                backends:
                  - { name: tcp-1, address: {{backends.Stream.Address}} }
              - name: datagram
                backends:
                  - { name: udp-1, address: {{backends.Datagram.Address}} }
            """;
        var path = Path.Combine(directory, $"fulcrum-{variant}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
