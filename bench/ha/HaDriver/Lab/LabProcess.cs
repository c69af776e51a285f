using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Fulcrum.Bench.Ha.Lab;

/// <summary>
/// A process of the lab (fulcrum, keepalived, nginx), its output kept line by line, with a time stamp, and written to
/// a log file beside its config. Disposing kills it if it still runs.
/// </summary>
public sealed class LabProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<(TimeSpan At, string Line)> _lines = new();
    private readonly StreamWriter _log;
    private readonly Stopwatch _clock;
    private bool _closed;

    private LabProcess(string name, Process process, string logPath, Stopwatch clock)
    {
        Name = name;
        _process = process;
        _clock = clock;
        _log = new StreamWriter(logPath, append: true) { AutoFlush = true };
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public IEnumerable<(TimeSpan At, string Line)> Lines => _lines;

    public string Output => string.Join('\n', _lines.Select(l => l.Line));

    /// <summary>Starts <paramref name="program"/>; <paramref name="clock"/> stamps its lines, so they compare with the client's records.</summary>
    public static LabProcess Start(string name, string logPath, Stopwatch clock, string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var lab = new LabProcess(name, process, logPath, clock);
        process.OutputDataReceived += (_, e) => lab.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => lab.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return lab;
    }

    /// <summary>Waits until a line matches; fails with the output when the process ends first or the deadline passes.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout, TimeSpan? after = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            foreach (var (at, line) in _lines)
            {
                if (after is { } since && at < since) continue;
                var match = pattern.Match(line);
                if (match.Success) return match;
            }

            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before printing /{pattern}/:\n{Tail()}");
            if (deadline.Elapsed > timeout) throw new TimeoutException($"{Name} did not print /{pattern}/ within {timeout.TotalSeconds} s:\n{Tail()}");
            await Task.Delay(20);
        }
    }

    public void Signal(int signal) => Posix.Kill(_process.Id, signal);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds} s:\n{Tail()}");
        }

        return _process.ExitCode;
    }

    public string Tail(int lines = 40) => string.Join('\n', _lines.Select(l => l.Line).TakeLast(lines));

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or gone.
        }

        _process.Dispose();
        lock (_log)
        {
            // Output may still arrive from the reader threads after the kill.
            _closed = true;
            _log.Dispose();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        var at = _clock.Elapsed;
        _lines.Enqueue((at, line));
        lock (_log)
        {
            if (!_closed) _log.WriteLine($"{at.TotalSeconds,9:F3} {line}");
        }
    }
}
