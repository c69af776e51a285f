using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Fulcrum.L4.Tests.Support;

/// <summary>`openssl s_server -www` with a fresh self-signed certificate for one common name.</summary>
internal sealed partial class OpensslServer : IDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private OpensslServer(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";

    public static async Task<OpensslServer> StartAsync(string commonName)
    {
        var dir = Directory.CreateTempSubdirectory("fulcrum-tls-").FullName;
        var key = Path.Combine(dir, "key.pem");
        var cert = Path.Combine(dir, "cert.pem");
        await Openssl.RunAsync("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", cert, "-days", "2", "-subj", $"/CN={commonName}");
        var psi = new ProcessStartInfo("openssl", ["s_server", "-accept", "127.0.0.1:0", "-cert", cert, "-key", key, "-www"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        var process = Process.Start(psi)!;
        _ = process.StandardError.ReadToEndAsync();
        var read = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                var m = AcceptLine().Match(line);
                if (m.Success) return int.Parse(m.Groups[1].Value);
            }

            return -1;
        });
        var port = await Poll.Within(read);
        if (port < 0) throw new InvalidOperationException("openssl s_server did not start");
        _ = process.StandardOutput.ReadToEndAsync();
        return new OpensslServer(process, dir, port);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit(10_000);
        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [GeneratedRegex(@"ACCEPT .*:(\d+)")]
    private static partial Regex AcceptLine();
}

internal static class Openssl
{
    public static async Task<string> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("openssl", args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await Poll.Within(p.WaitForExitAsync());
        return await stdout + await stderr;
    }
}
