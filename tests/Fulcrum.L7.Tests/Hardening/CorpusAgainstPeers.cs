using System.Net;
using System.Text;

namespace Fulcrum.L7.Tests.Hardening;

/// <summary>
/// The corpus against Fulcrum, nginx and HAProxy, each in front of its own <see cref="RecordingBackend"/>, written as the
/// Markdown table docs/security.md shows: each proxy's verdict, and what reached its backend when that broke a rule.
/// </summary>
public sealed class CorpusAgainstPeers
{
    [CorpusTableFact]
    public async Task Corpus_AgainstFulcrumNginxAndHaproxy_IsWrittenAsATable()
    {
        var results = new Dictionary<string, Dictionary<string, string>>();
        await using (var fulcrum = new HostileInputTests.Proxy())
        {
            await fulcrum.InitializeAsync();
            results["Fulcrum"] = await RunAsync(fulcrum.Endpoint, fulcrum.Backend);
        }

        await using (var backend = new RecordingBackend())
        using (var nginx = await Nginx.StartProxyAsync(backend.Address))
        {
            results["nginx"] = await RunAsync(nginx.Endpoint, backend);
        }

        await using (var backend = new RecordingBackend())
        using (var haproxy = await Haproxy.StartProxyAsync(backend.Address))
        {
            results["HAProxy"] = await RunAsync(haproxy.Endpoint, backend);
        }

        var table = new StringBuilder();
        table.AppendLine("| case | group | right | Fulcrum | nginx | HAProxy | from |");
        table.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var hostile in HostileCorpus.All)
        {
            table.AppendLine($"| `{hostile.Name}` | {hostile.Group} | {string.Join(", ", hostile.Accept)} | {results["Fulcrum"][hostile.Name]} | {results["nginx"][hostile.Name]} | {results["HAProxy"][hostile.Name]} | {hostile.Source} |");
        }

        await File.WriteAllTextAsync(Environment.GetEnvironmentVariable(CorpusTableFactAttribute.Variable)!, table.ToString());
    }

    private static async Task<Dictionary<string, string>> RunAsync(IPEndPoint proxy, RecordingBackend backend)
    {
        var cells = new Dictionary<string, string>();
        foreach (var hostile in HostileCorpus.All)
        {
            backend.Clear();
            var verdict = await ClientProbe.VerdictAsync(proxy, hostile.Bytes);
            var problems = backend.Received.SelectMany(c => BackendRules.Inspect(c).Problems).ToList();
            var cell = hostile.Accept.Contains(verdict) ? verdict : $"**{verdict}**";
            if (problems.Count > 0) cell += $" (backend got {string.Join("; ", problems).Replace("|", "\\|")})";
            cells[hostile.Name] = cell;
        }

        return cells;
    }
}
