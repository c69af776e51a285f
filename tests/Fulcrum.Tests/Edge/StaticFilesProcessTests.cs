using System.Diagnostics;
using Fulcrum.TestSupport.Http;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Edge;

/// <summary>A `static` route in the real `fulcrum` process, asked by curl (docs/routing.md, "static").</summary>
public sealed class StaticFilesProcessTests
{
    private static async Task<(int Code, string Output)> CurlAsync(params string[] args)
    {
        var info = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var curl = Process.Start(info)!;
        var output = curl.StandardOutput.ReadToEndAsync();
        var error = curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (curl.ExitCode, await output + await error);
    }

    [Fact]
    public async Task Run_CurlGetsRanges_304OnItsETag_AndNoPathOutOfTheRoot()
    {
        using var file = new ConfigFile("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes:
                  - static: { root: www }
            """);
        var www = Directory.CreateDirectory(Path.Combine(file.Directory, "www")).FullName;
        var body = ContentBackend.Text(100_000);
        File.WriteAllBytes(Path.Combine(www, "data.txt"), body);
        File.WriteAllText(Path.Combine(file.Directory, "secret.txt"), "outside the root\n");
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = new Uri(await fulcrum.WaitForListenerAsync(), "data.txt").ToString();

        var (_, range) = await CurlAsync("-s", "-r", "100-199", "-w", "\n%{http_code}", url);
        Assert.Equal(System.Text.Encoding.ASCII.GetString(body, 100, 100) + "\n206", range);

        var (_, head) = await CurlAsync("-s", "-I", url);
        var etag = head.Split('\n').Single(l => l.StartsWith("etag:", StringComparison.OrdinalIgnoreCase))[5..].Trim();
        var (_, notModified) = await CurlAsync("-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: " + etag, url);
        Assert.Equal("304", notModified);

        var root = url[..url.LastIndexOf('/')];
        foreach (var escape in new[] { "/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/..\\secret.txt", "/%5c..%5csecret.txt" })
        {
            var (_, answer) = await CurlAsync("-s", "--path-as-is", "-w", "\n%{http_code}", root + escape);
            Assert.DoesNotContain("outside the root", answer);
            Assert.EndsWith("\n400", answer);
        }
    }

    [Fact]
    public async Task Validate_AStaticRootThatIsNotAFolder_ExitsTwo_AtTheRoute()
    {
        using var file = new ConfigFile("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes:
                  - static: { root: no-such-folder }
            """);

        var (code, process) = await FulcrumProcess.RunToEndAsync("validate", "-c", file.Path);
        await using var _ = process;

        Assert.True(code == 2, process.Output);
        Assert.Contains(process.StderrLines, l => l.StartsWith($"{file.Path}:6:", StringComparison.Ordinal) && l.EndsWith("no-such-folder is not a folder", StringComparison.Ordinal));
    }
}
