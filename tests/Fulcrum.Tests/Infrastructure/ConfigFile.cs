using System.Text;
using Fulcrum.Demo;

namespace Fulcrum.Tests.Infrastructure;

/// <summary>A config file in its own temporary directory (the reloader watches the directory), deleted on dispose.</summary>
public sealed class ConfigFile : IDisposable
{
    private int _writes;

    public ConfigFile(string yaml)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("fulcrum-test-").FullName;
        Path = System.IO.Path.Combine(Directory, "fulcrum.yaml");
        File.WriteAllText(Path, yaml);
    }

    public string Directory { get; }

    public string Path { get; }

    /// <summary>
    /// One HTTP listener on 127.0.0.1 (port 0: the OS chooses) routing everything to pool `app`
    /// with these backends, by name and weight.
    /// </summary>
    public static string Yaml(IEnumerable<(DemoBackend Backend, int Weight)> backends, string algorithm = "round-robin")
    {
        var yaml = new StringBuilder();
        yaml.Append("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes:
                  - pool: app
            pools:
              - name: app
            """);
        yaml.Append('\n');
        yaml.Append($"    algorithm: {algorithm}\n");
        yaml.Append("    backends:\n");
        foreach (var (backend, weight) in backends)
        {
            yaml.Append($"      - {{ name: {backend.Name}, address: {backend.Address}, weight: {weight} }}\n");
        }

        return yaml.ToString();
    }

    public static string Yaml(params DemoBackend[] backends) => Yaml(backends.Select(b => (b, 1)));

    /// <summary>Replaces the file in one step (write a sibling, rename over), as editors and config tools do.</summary>
    public void ReplaceAtomically(string yaml)
    {
        var temporary = System.IO.Path.Combine(Directory, $".fulcrum.yaml.{Interlocked.Increment(ref _writes)}.tmp");
        File.WriteAllText(temporary, yaml);
        File.Move(temporary, Path, overwrite: true);
    }

    /// <summary>Rewrites the file in place (truncate and write), as `echo > file` does.</summary>
    public void Overwrite(string yaml) => File.WriteAllText(Path, yaml);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
    }
}
