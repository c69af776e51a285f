using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tls;

namespace Fulcrum.L7.Tests.Tls;

/// <summary>
/// `fulcrum validate` checks the certificate files a config names, so every valid ```yaml example in the docs
/// must point at files that load (docs/examples/certs/, relative to the page as to a config file).
/// </summary>
public sealed class DocsCertificateTests
{
    [Fact]
    public void EveryDocsExample_NamesCertificatesThatLoad()
    {
        var root = RepositoryRoot();
        var checkedBlocks = 0;
        foreach (var page in Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories))
        {
            foreach (var (line, yaml) in ValidYamlBlocks(File.ReadAllLines(page)))
            {
                var loaded = ConfigLoader.LoadText(yaml, page);
                if (!loaded.IsValid) continue; // the parser's docs test reports those
                var errors = TlsConfigCheck.Check(loaded.Config! with { SourcePath = page });
                Assert.True(errors.Count == 0, $"{page}:{line}: " + string.Join("; ", errors));
                checkedBlocks++;
            }
        }

        Assert.True(checkedBlocks > 10);
    }

    private static IEnumerable<(int Line, string Yaml)> ValidYamlBlocks(string[] lines)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```yaml") continue;
            var end = i + 1;
            while (end < lines.Length && lines[end].Trim() != "```") end++;
            yield return (i + 1, string.Join('\n', lines[(i + 1)..end]) + "\n");
            i = end;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fulcrum.slnx"))) return dir.FullName;
        }

        throw new InvalidOperationException("no Fulcrum.slnx above " + AppContext.BaseDirectory);
    }
}
