using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Fulcrum.TestSupport.Peers;

/// <summary>
/// A peer proxy (nginx, HAProxy) run in the foreground from a private directory on a free 127.0.0.1 port. They cannot
/// listen on port 0, so a port is taken from the OS by binding and closing a socket, and the start is retried when
/// someone grabbed it meanwhile. Disposing kills the whole process tree (nginx's worker outlives its master otherwise).
/// </summary>
public sealed class PeerProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private PeerProcess(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";
    public IPEndPoint Endpoint => new(IPAddress.Loopback, Port);

    /// <summary>
    /// Writes <paramref name="config"/> (given the directory and the chosen port) to <paramref name="configName"/> and runs
    /// <paramref name="program"/> with the arguments <paramref name="arguments"/> gives for that file, until the port answers.
    /// </summary>
    public static async Task<PeerProcess> StartAsync(string program, string configName, Func<string, int, string> config,
        Func<string, string, string[]> arguments, string logName)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var directory = Directory.CreateTempSubdirectory($"fulcrum-{program}-").FullName;
            var file = Path.Combine(directory, configName);
            File.WriteAllText(file, config(directory, port));
            var psi = new ProcessStartInfo(program, arguments(directory, file)) { RedirectStandardError = true, RedirectStandardOutput = true };
            var process = Process.Start(psi)!;
            var output = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            var deadline = DateTime.UtcNow + Poll.Deadline;
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                if (await CanConnectAsync(port)) return new PeerProcess(process, directory, port);
                await Task.Delay(20);
            }

            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            var log = Path.Combine(directory, logName);
            var text = (File.Exists(log) ? File.ReadAllText(log) : "") + await output;
            process.Dispose();
            if (attempt >= 5 || !text.Contains("Address already in use", StringComparison.OrdinalIgnoreCase) && !text.Contains("cannot bind", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"{program} did not start: {text}");
            }
        }
    }

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
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static async Task<bool> CanConnectAsync(int port)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await s.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
