using System.Diagnostics;

namespace Fulcrum.Tests.Sessions;

/// <summary>
/// A real redis-server for one test: a temp directory, a unix socket (no TCP port to collide on), no
/// persistence. Stopped and deleted on dispose.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, string directory, string socket)
    {
        _process = process;
        _directory = directory;
        Socket = socket;
    }

    public string Socket { get; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => Socket;

    public static async Task<RedisServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("fulcrum-redis-").FullName;
        var socket = Path.Combine(directory, "redis.sock");
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[] { "--port", "0", "--unixsocket", socket, "--dir", directory, "--save", "", "--appendonly", "no" })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(socket))
        {
            if (process.HasExited) throw new InvalidOperationException($"redis-server exited with {process.ExitCode}");
            if (deadline.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("redis-server did not open its socket");
            await Task.Delay(20);
        }

        return new RedisServer(process, directory, socket);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
