using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Fulcrum.Bench.Soak;

/// <summary>
/// The real fulcrum process (`dotnet fulcrum.dll run -c FILE`), its output written to a log file line by line and
/// read for what the report needs: reloads applied and rejected, certificate reloads, warnings and errors.
/// </summary>
public sealed partial class FulcrumUnderTest : IAsyncDisposable
{
    private const int KeptProblems = 20;
    // A kept warning is cut here: the report needs the message, not the stack trace behind it.
    private const int KeptLength = 300;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly ConcurrentQueue<string> _problems = new();
    private int _reloadsApplied;
    private int _reloadsRejected;
    private int _certificateReloads;
    private int _warnings;
    private int _errors;
    private bool _logClosed;

    private FulcrumUnderTest(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ReloadsApplied => Volatile.Read(ref _reloadsApplied);
    public int ReloadsRejected => Volatile.Read(ref _reloadsRejected);
    public int CertificateReloads => Volatile.Read(ref _certificateReloads);
    public int Warnings => Volatile.Read(ref _warnings);
    public int Errors => Volatile.Read(ref _errors);

    /// <summary>The first warnings and errors Fulcrum logged.</summary>
    public IReadOnlyCollection<string> Problems => _problems;

    public static FulcrumUnderTest Start(string dll, string config, string logPath)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, "run", "-c", config, "--drain-timeout", "10s" }) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_NOLOGO"] = "1";
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        var fulcrum = new FulcrumUnderTest(process, log);
        process.OutputDataReceived += (_, e) => fulcrum.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => fulcrum.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return fulcrum;
    }

    /// <summary>SIGTERM (a drain), then the exit code; null when it did not exit within the deadline.</summary>
    public async Task<int?> StopAsync(TimeSpan deadline)
    {
        if (_process.HasExited) return _process.ExitCode;
        Posix.Terminate(_process.Id);
        using var cts = new CancellationTokenSource(deadline);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        lock (_log)
        {
            _logClosed = true;
            _log.Dispose();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            // The last lines of a killed process may arrive after DisposeAsync closed the log.
            if (!_logClosed) _log.WriteLine(line);
        }

        if (ReloadApplied().IsMatch(line)) Interlocked.Increment(ref _reloadsApplied);
        else if (line.Contains("reload rejected", StringComparison.Ordinal)) Interlocked.Increment(ref _reloadsRejected);
        else if (line.Contains("certificates reloaded from changed files", StringComparison.Ordinal)) Interlocked.Increment(ref _certificateReloads);

        var warning = line.Contains(" warn: ", StringComparison.Ordinal);
        var error = line.Contains(" fail: ", StringComparison.Ordinal) || line.Contains(" crit: ", StringComparison.Ordinal);
        if (warning) Interlocked.Increment(ref _warnings);
        if (error) Interlocked.Increment(ref _errors);
        if ((warning || error) && _problems.Count < KeptProblems) _problems.Enqueue(line.Length <= KeptLength ? line : line[..KeptLength] + "...");
    }

    [GeneratedRegex(@"reload applied: generation \d+")]
    private static partial Regex ReloadApplied();
}
