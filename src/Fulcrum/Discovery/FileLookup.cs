using System.Globalization;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Discovery;

/// <summary>
/// `file:PATH`: one backend a line, `ADDRESS [WEIGHT]`, where ADDRESS is host:port as in the config file; blank lines
/// and lines starting with `#` are skipped. A file that cannot be read, or has a line that is not a backend, fails the
/// lookup as a whole (naming the line), and so does a file without any backend, so a half-written file never shrinks the pool: write a new file and rename it
/// over the old one, as for the config file.
/// </summary>
internal sealed class FileLookup(DiscoverySource source, string path) : IBackendLookup
{
    public string Path { get; } = path;

    public async Task<LookupResult> LookupAsync(CancellationToken cancellationToken)
    {
        string[] lines;
        try
        {
            lines = await File.ReadAllLinesAsync(Path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return LookupResult.Failed($"cannot read {Path}: {e.Message}");
        }

        var backends = new List<BackendConfig>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var weight = source.Weight;
            if (parts.Length > 2 || (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out weight) || weight < 1)))
            {
                return LookupResult.Failed($"{Path}:{i + 1}: a line is an address and an optional weight of 1 or more, like 10.0.0.5:8080 3");
            }

            if (!AddressParser.TryParseBackend(parts[0], out _, out _, out var error)) return LookupResult.Failed($"{Path}:{i + 1}: {error}");
            backends.Add(new BackendConfig { Address = parts[0], Weight = weight, Backup = source.Backup, DiscoveredBy = source.Text });
        }

        // Empty counts as failed, as a name without addresses does: more often a file caught mid-write than a wish.
        return backends.Count == 0 ? LookupResult.Failed($"{Path} lists no backend") : LookupResult.Found(backends, null);
    }
}
