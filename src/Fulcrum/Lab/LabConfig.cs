using System.Globalization;
using System.Text;

namespace Fulcrum.Lab;

/// <summary>The config every lab scenario runs: one http listener on a free port, one route, one pool of lab backends.</summary>
public static class LabConfig
{
    public const string ListenerName = "lab";
    public const string PoolName = "lab";

    /// <param name="poolKeys">More keys of the pool, each one line of YAML (`hash-key: header:X-User`).</param>
    public static string Text(string algorithm, IEnumerable<LabBackend> backends, params string[] poolKeys) =>
        Text(algorithm, backends.Select(b => (b.Name, b.Address, b.Weight)), poolKeys);

    /// <summary>The same for backends that are not <see cref="LabBackend"/>s (the sessions demo app): name, host:port and weight.</summary>
    public static string Text(string algorithm, IEnumerable<(string Name, string Address, int Weight)> backends, params string[] poolKeys)
    {
        var yaml = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            listeners:
              - name: {ListenerName}
                bind: 127.0.0.1:0
                protocol: http
                routes:
                  - pool: {PoolName}
            pools:
              - name: {PoolName}
                algorithm: {algorithm}

            """);
        foreach (var key in poolKeys) yaml.Append("    ").Append(key).Append('\n');
        yaml.Append("    backends:\n");
        foreach (var backend in backends)
        {
            var weight = backend.Weight == 1 ? "" : string.Create(CultureInfo.InvariantCulture, $", weight: {backend.Weight}");
            yaml.Append(CultureInfo.InvariantCulture, $"      - {{ name: {backend.Name}, address: {backend.Address}{weight} }}\n");
        }
        return yaml.ToString();
    }
}
