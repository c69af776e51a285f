using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Fulcrum.Observability.Tests.Support;

/// <summary>
/// A real Prometheus server (Debian's `prometheus`) scraping one target every second, with its data in a
/// temporary directory; stopped and deleted on dispose.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(10) };

    private PrometheusServer(Process process, string dir, Uri url)
    {
        _process = process;
        _dir = dir;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<PrometheusServer> StartAsync(string binary, string target)
    {
        var dir = Directory.CreateTempSubdirectory("fulcrum-prometheus-").FullName;
        var config = Path.Combine(dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: fulcrum
                static_configs:
                  - targets: ["{target}"]
            """);
        var port = Tools.FreePort();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir, "data")}",
            $"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h", "--log.level=warn",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, dir, new Uri($"http://127.0.0.1:{port}/"));
        await Poll.UntilAsync(async () =>
        {
            if (process.HasExited) Assert.Fail($"prometheus exited with {process.ExitCode}");
            try
            {
                using var ready = await server._client.GetAsync(new Uri(server.Url, "-/ready"));
                return ready.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "prometheus to be ready", TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>An instant query; the result as label value of <paramref name="by"/> to sample value.</summary>
    public async Task<Dictionary<string, double>> QueryAsync(string promql, string by)
    {
        var url = new Uri(Url, "api/v1/query?query=" + Uri.EscapeDataString(promql));
        using var doc = JsonDocument.Parse(await _client.GetStringAsync(url));
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var series in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var key = series.GetProperty("metric").TryGetProperty(by, out var label) ? label.GetString()! : "";
            result[key] = double.Parse(series.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left in /tmp; harmless.
        }
    }
}
