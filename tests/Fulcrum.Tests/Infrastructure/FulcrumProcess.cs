using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Fulcrum.Tests.Infrastructure;

/// <summary>
/// The built `fulcrum` run as a child process (`dotnet fulcrum.dll ...`, the copy the build puts next
/// to this test assembly), with its output collected line by line so tests can wait for log events.
/// </summary>
public sealed class FulcrumProcess : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FulcrumProcess(Process process)
    {
        _process = process;
    }

    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "fulcrum.dll");

    public int Id => _process.Id;

    public IReadOnlyList<string> StdoutLines => [.. _stdout];

    public IReadOnlyList<string> StderrLines => [.. _stderr];

    /// <summary>Everything printed so far, stdout then stderr, for assertion messages.</summary>
    public string Output => string.Join('\n', StdoutLines) + "\n--- stderr ---\n" + string.Join('\n', StderrLines);

    public static FulcrumProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>Starts fulcrum with extra environment variables.</summary>
    public static FulcrumProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment) info.Environment[name] = value;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new FulcrumProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, child._stdout, child._stdoutClosed);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, child._stderr, child._stderrClosed);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs fulcrum to completion and returns its exit code.</summary>
    public static async Task<(int ExitCode, FulcrumProcess Process)> RunToEndAsync(params string[] args)
    {
        var process = Start(args);
        var code = await process.WaitForExitAsync(DefaultTimeout);
        return (code, process);
    }

    /// <summary>Polls stdout (and stderr) until a line matches, or fails with everything printed so far.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        while (true)
        {
            foreach (var line in _stdout.Concat(_stderr))
            {
                var match = pattern.Match(line);
                if (match.Success) return match;
            }

            if (_process.HasExited && _stdoutClosed.Task.IsCompleted && _stderrClosed.Task.IsCompleted)
            {
                Assert.Fail($"fulcrum exited with {_process.ExitCode} before printing /{pattern}/:\n{Output}");
            }

            if (deadline.Elapsed > limit)
            {
                Assert.Fail($"fulcrum did not print /{pattern}/ within {limit.TotalSeconds} s:\n{Output}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The first URL the listener named <paramref name="listener"/> reports it serves on.</summary>
    public async Task<Uri> WaitForListenerAsync(string listener = "web")
    {
        var match = await WaitForLineAsync(new Regex($@"listener {Regex.Escape(listener)} serving on (\S+)"));
        return new Uri(match.Groups[1].Value + "/");
    }

    public void Signal(int signal) => Posix.Kill(_process.Id, signal);

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"fulcrum did not exit within {(timeout ?? DefaultTimeout).TotalSeconds} s:\n{Output}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void OnLine(string? line, ConcurrentQueue<string> lines, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
        }
        else
        {
            lines.Enqueue(line);
        }
    }
}
