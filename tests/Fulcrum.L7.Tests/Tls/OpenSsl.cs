using System.Diagnostics;

namespace Fulcrum.L7.Tests.Tls;

/// <summary>Runs the openssl command line, as a user would check a listener.</summary>
internal static class OpenSsl
{
    /// <summary>The subject line `openssl s_client` prints for the served certificate; null SNI sends none.</summary>
    public static async Task<string> ServedSubjectAsync(int port, string? serverName)
    {
        var args = $"s_client -connect 127.0.0.1:{port} " + (serverName is null ? "-noservername" : $"-servername {serverName}");
        var output = await RunAsync(args);
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith("subject=", StringComparison.Ordinal)) return line["subject=".Length..].Replace(" ", "", StringComparison.Ordinal);
        }

        throw new InvalidOperationException("openssl printed no subject:\n" + output);
    }

    public static async Task<string> RunAsync(string arguments)
    {
        var start = new ProcessStartInfo("openssl", arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        return await stdout + await stderr;
    }
}
