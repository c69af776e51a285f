using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Fulcrum.Bench.Upgrade;

/// <summary>
/// One real fulcrum process, `dotnet fulcrum.dll run -c FILE --takeover SOCKET`, its output kept line by line (and
/// written to a log file) so the driver can wait for the takeover's log events and read where each listener serves.
/// </summary>
public sealed partial class Balancer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _logClosed;

    private Balancer(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    /// <summary>The admin API's entry in <see cref="ListenersAsync"/>.</summary>
    public const string AdminName = "(admin)";

    public int Pid => _process.Id;

    /// <summary>When the process exited (on the driver's clock); null while it runs.</summary>
    public TimeSpan? ExitedAt { get; private set; }

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public Task Exited => _exited.Task;

    public IReadOnlyCollection<string> Lines => _lines;

    public static Balancer Start(string dll, string config, string takeoverSocket, TimeSpan drainTimeout, string logPath, Func<TimeSpan> clock)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, "run", "-c", config, "--takeover", takeoverSocket, "--drain-timeout", $"{(int)drainTimeout.TotalSeconds}s", "--no-watch" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var balancer = new Balancer(process, log);
        process.OutputDataReceived += (_, e) => balancer.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => balancer.OnLine(e.Data);
        process.Exited += (_, _) =>
        {
            balancer.ExitedAt = clock();
            balancer._exited.TrySetResult();
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return balancer;
    }

    /// <summary>Waits for a line that matches; throws with the process's output when it exits first or the time is up.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            foreach (var line in _lines)
            {
                var match = pattern.Match(line);
                if (match.Success) return match;
            }

            if (_process.HasExited) throw new InvalidOperationException($"fulcrum {Pid} exited with {_process.ExitCode} before /{pattern}/:\n{Tail()}");
            if (clock.Elapsed > timeout) throw new TimeoutException($"fulcrum {Pid} did not log /{pattern}/ within {timeout.TotalSeconds} s:\n{Tail()}");
            await Task.Delay(20);
        }
    }

    /// <summary>Where each listener serves, from the start-up log, once `started:` was logged.</summary>
    public async Task<Dictionary<string, IPEndPoint>> ListenersAsync(TimeSpan timeout)
    {
        await WaitForLineAsync(Started(), timeout);
        var endpoints = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
        foreach (var line in _lines)
        {
            var match = Serving().Match(line);
            if (match.Success) endpoints[match.Groups[1].Value] = IPEndPoint.Parse(match.Groups[2].Value);
            match = AdminServing().Match(line);
            if (match.Success) endpoints[AdminName] = IPEndPoint.Parse(match.Groups[1].Value);
        }

        return endpoints;
    }

    /// <summary>SIGTERM (a drain), then waits for the exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited) return;
        Posix.Terminate(_process.Id);
        await Exited.WaitAsync(timeout);
    }

    public string Tail(int lines = 30) => string.Join('\n', _lines.TakeLast(lines));

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
        _lines.Enqueue(line);
        lock (_log)
        {
            if (!_logClosed) _log.WriteLine(line);
        }
    }

    [GeneratedRegex(@"\bstarted: generation \d+")]
    private static partial Regex Started();

    [GeneratedRegex(@"listener (\S+) serving on \w+://(\S+)$")]
    private static partial Regex Serving();

    [GeneratedRegex(@"admin API serving on http://(\S+)$")]
    private static partial Regex AdminServing();
}
