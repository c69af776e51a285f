using System.Diagnostics;

namespace Fulcrum.TestSupport.Peers;

/// <summary>
/// A real redis-server for one test: a temp directory, a unix socket (no TCP port to collide on), no persistence.
/// <see cref="KillAsync"/> and <see cref="RestartAsync"/> stop it and bring it back on the same socket, empty, as a
/// Redis without persistence comes back from a crash. Stopped and deleted on dispose.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private Process? _process;

    private RedisServer(string directory)
    {
        _directory = directory;
        Socket = Path.Combine(directory, "redis.sock");
    }

    public string Socket { get; }

    /// <summary>A StackExchange.Redis configuration string for this server (Fulcrum's `cluster.redis` takes a socket path too).</summary>
    public string Configuration => Socket;

    public bool Running => _process is { HasExited: false };

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(Directory.CreateTempSubdirectory("fulcrum-redis-").FullName);
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts the server again (after <see cref="KillAsync"/>) on the same socket; waits until it accepts.</summary>
    public async Task RestartAsync()
    {
        if (Running) throw new InvalidOperationException("redis-server is already running");
        File.Delete(Socket);
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (var arg in new[] { "--port", "0", "--unixsocket", Socket, "--dir", _directory, "--save", "", "--appendonly", "no" })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(Socket))
        {
            if (process.HasExited) throw new InvalidOperationException($"redis-server exited with {process.ExitCode}");
            if (deadline.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("redis-server did not open its socket");
            await Task.Delay(20);
        }
    }

    /// <summary>Kills the server (SIGKILL, as a crash): its clients see the connection drop; nothing is saved.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process) return;
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
