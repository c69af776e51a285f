using System.Diagnostics;

namespace Fulcrum.L7.Tests.Support;

/// <summary>
/// Runs one of the tests' Python scripts with Debian's /usr/bin/python3 (the one python3-h2 installs into; the
/// python3 first on PATH may be another) and waits at most 60 s, so a script that hangs fails its test instead of
/// the run.
/// </summary>
public static class PythonScript
{
    public const string Python = "/usr/bin/python3";

    /// <summary>The script's exit code, standard output and standard error; <paramref name="what"/> names it in a timeout.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string what, string script, params string[] arguments)
    {
        var psi = new ProcessStartInfo(Python, [script, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what}: {Path.GetFileName(script)} did not end in 60 s");
        }

        return (process.ExitCode, await output, await error);
    }
}
