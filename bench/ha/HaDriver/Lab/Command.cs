using System.Diagnostics;

namespace Fulcrum.Bench.Ha.Lab;

/// <summary>Runs a short command (ip, sysctl) to its end; a failure is an exception with what it printed.</summary>
public static class Command
{
    public static string Run(string program, params string[] arguments)
    {
        var (code, output) = TryRun(program, arguments);
        if (code != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {code}: {output.Trim()}");
        return output;
    }

    public static (int Code, string Output) TryRun(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not end within 30 s");
        }

        return (process.ExitCode, stdout + stderr.Result);
    }
}
