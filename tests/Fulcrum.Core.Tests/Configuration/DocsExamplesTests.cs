using System.Text;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

/// <summary>
/// Every ```yaml block in every docs page is a config users will paste, so each must load exactly as the page says:
/// ```yaml must be valid, ```yaml invalid must fail with the errors the page shows after it (as FILE:LINE:COL: message,
/// lines counted from the block's first line), and ```yaml not-config
/// marks YAML that is not a Fulcrum config (a Prometheus or Compose file). New pages are covered without touching this.
/// </summary>
public sealed class DocsExamplesTests
{
    public static TheoryData<string, int> Examples()
    {
        var data = new TheoryData<string, int>();
        foreach (var example in DocsExample.All()) data.Add(example.Page, example.Line);
        return data;
    }

    [Fact]
    public void Docs_HaveYamlExamples()
    {
        Assert.Contains(DocsExample.All(), e => e.Page == "docs/configuration.md" && e.Kind == "");
        Assert.Contains(DocsExample.All(), e => e.Page == "docs/configuration.md" && e.Kind == "invalid");
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void DocsExample_LoadsAsThePageSays(string page, int line)
    {
        var example = DocsExample.All().Single(e => e.Page == page && e.Line == line);
        var result = ConfigLoader.LoadText(example.Yaml, page);
        var where = $"{page}:{line}";
        switch (example.Kind)
        {
            case "":
                Assert.True(result.IsValid, $"the example at {where} should be a valid config, but:\n" +
                    string.Join("\n", result.Errors.Select(e => $"  line {line + e.Location.Line}: {e.Message}")));
                break;
            case "invalid":
                Assert.False(result.IsValid, $"the example at {where} is marked `yaml invalid` but loads");
                foreach (var error in result.Errors)
                {
                    var shown = $":{error.Location.Line}:{error.Location.Column}: {error.Message}";
                    Assert.True(example.TextAfter.Contains(shown, StringComparison.Ordinal),
                        $"the page should show the error of the invalid example at {where} after it, as FILE{shown}");
                }

                break;
            case "not-config":
                break;
            default:
                Assert.Fail($"unknown fence '```yaml {example.Kind}' at {where}; use ```yaml, ```yaml invalid or ```yaml not-config");
                break;
        }
    }

    private sealed record DocsExample(string Page, int Line, string Kind, string Yaml, string TextAfter)
    {
        private static readonly Lazy<IReadOnlyList<DocsExample>> Cache = new(Find);

        public static IReadOnlyList<DocsExample> All() => Cache.Value;

        private static IReadOnlyList<DocsExample> Find()
        {
            var root = Repository.Root;
            var examples = new List<DocsExample>();
            foreach (var path in Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var page = Path.GetRelativePath(root, path).Replace('\\', '/');
                examples.AddRange(FindIn(page, File.ReadAllLines(path)));
            }

            return examples;
        }

        /// <summary>Fenced blocks opened by ```yaml; TextAfter runs to the next ```yaml block, where an invalid example's error is shown.</summary>
        private static IEnumerable<DocsExample> FindIn(string page, string[] lines)
        {
            var opens = new List<(int Line, string Kind, string Yaml, int End)>();
            for (var i = 0; i < lines.Length; i++)
            {
                var fence = lines[i].Trim();
                if (!fence.StartsWith("```", StringComparison.Ordinal)) continue;
                var info = fence[3..].Trim();
                var end = i + 1;
                while (end < lines.Length && lines[end].Trim() != "```") end++;
                if (info == "yaml" || info.StartsWith("yaml ", StringComparison.Ordinal))
                {
                    var yaml = new StringBuilder();
                    for (var j = i + 1; j < end; j++) yaml.Append(lines[j]).Append('\n');
                    opens.Add((i + 1, info[4..].Trim(), yaml.ToString(), end));
                }

                i = end;
            }

            for (var k = 0; k < opens.Count; k++)
            {
                var (line, kind, yaml, end) = opens[k];
                var next = k + 1 < opens.Count ? opens[k + 1].Line - 1 : lines.Length;
                var after = string.Join('\n', lines[Math.Min(end + 1, next)..next]);
                yield return new DocsExample(page, line, kind, yaml, after);
            }
        }
    }
}
