using System.ComponentModel;
using System.Diagnostics;

namespace Fulcrum.Lab;

/// <summary>
/// A real redis-server for one lab run: a temporary directory, a unix socket (no TCP port to collide on), no
/// persistence; killed and deleted on dispose. <see cref="TryStartAsync"/> answers null when redis-server is not installed.
/// </summary>
internal sealed class LabRedis : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private LabRedis(Process process, string directory, string socket)
    {
        _process = process;
        _directory = directory;
        Socket = socket;
    }

    /// <summary>The socket's path: a StackExchange.Redis configuration the demo app takes.</summary>
    public string Socket { get; }

    public static async Task<LabRedis?> TryStartAsync(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("fulcrum-lab-redis-").FullName;
        var socket = Path.Combine(directory, "redis.sock");
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var arg in new[] { "--port", "0", "--unixsocket", socket, "--dir", directory, "--save", "", "--appendonly", "no" }) info.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (Win32Exception)
        {
            Directory.Delete(directory, recursive: true);
            return null; // not installed
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var redis = new LabRedis(process, directory, socket);
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(socket))
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                await redis.DisposeAsync();
                throw new InvalidOperationException("redis-server did not open its socket");
            }

            await Task.Delay(20, cancellationToken);
        }

        return redis;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
