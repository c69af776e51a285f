using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Service;

/// <summary>
/// `fulcrum run` under systemd's Type=notify, with NOTIFY_SOCKET pointing at a socket this test reads as systemd would:
/// READY once the listeners serve, RELOADING then READY around a reload, STOPPING when the drain begins, and
/// WATCHDOG at half of WatchdogSec.
/// </summary>
public sealed class SystemdNotifyTests
{
    [Fact]
    public async Task Run_TellsSystemd_ReadyOnceListenersServe_ReloadingThenReady_Stopping_AndPingsTheWatchdog()
    {
        await using var backends = await Backends.StartAsync(1);
        using var file = new ConfigFile(ConfigFile.Yaml(backends.All));
        using var systemd = new NotifySocket(Path.Combine(file.Directory, "notify.sock"));
        await using var fulcrum = FulcrumProcess.Start(new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = systemd.Path,
            ["WATCHDOG_USEC"] = "1000000",
        }, "run", "-c", file.Path);

        var ready = await systemd.WaitForAsync("READY=1", fulcrum);
        // READY=1 comes after the listener serves: a request made now is answered.
        var url = await fulcrum.WaitForListenerAsync();
        using var client = TestHttp.CreateClient();
        Assert.Equal((HttpStatusCode.OK, "b1"), await TestHttp.GetAsync(client, url));
        Assert.Contains($"MAINPID={fulcrum.Id}", ready, StringComparison.Ordinal);
        Assert.Contains("STATUS=serving generation 1", ready, StringComparison.Ordinal);
        await systemd.WaitForAsync("WATCHDOG=1", fulcrum);

        fulcrum.Signal(Posix.SIGHUP);
        var reloading = await systemd.WaitForAsync("RELOADING=1", fulcrum);
        Assert.Matches(@"MONOTONIC_USEC=\d+", reloading);
        var reloaded = await systemd.WaitForAsync("READY=1", fulcrum, after: reloading);
        Assert.Contains("STATUS=serving generation 2", reloaded, StringComparison.Ordinal);

        fulcrum.Signal(Posix.SIGTERM);
        await systemd.WaitForAsync("STOPPING=1", fulcrum);
        Assert.True(await fulcrum.WaitForExitAsync() == 0, fulcrum.Output);

        var order = systemd.Messages.Select(m => m.Split('\n')[0]).Where(first => first != "WATCHDOG=1").ToList();
        Assert.Equal(["READY=1", "RELOADING=1", "READY=1", "STOPPING=1"], order);
        Assert.True(systemd.Messages.Count(m => m == "WATCHDOG=1") >= 1);
    }

    [Fact]
    public async Task Run_WithoutNotifySocket_SaysNothingAboutSystemd()
    {
        await using var backends = await Backends.StartAsync(1);
        using var file = new ConfigFile(ConfigFile.Yaml(backends.All));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        await fulcrum.WaitForListenerAsync();

        Assert.DoesNotContain(fulcrum.StdoutLines, l => l.Contains("systemd", StringComparison.Ordinal));
    }

    /// <summary>A unix datagram socket bound at a path, collecting what is sent to it, as systemd's notify socket does.</summary>
    private sealed class NotifySocket : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        private readonly ConcurrentQueue<string> _messages = new();
        private readonly Task _receiving;

        public NotifySocket(string path)
        {
            Path = path;
            _socket.Bind(new UnixDomainSocketEndPoint(path));
            _receiving = Task.Run(ReceiveAsync);
        }

        public string Path { get; }

        public IReadOnlyList<string> Messages => [.. _messages];

        /// <summary>The first message, after <paramref name="after"/> when given, whose first line is <paramref name="line"/>.</summary>
        public async Task<string> WaitForAsync(string line, FulcrumProcess fulcrum, string? after = null)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var messages = Messages.ToList();
                var start = after is null ? 0 : messages.IndexOf(after) + 1;
                var found = messages.Skip(start).FirstOrDefault(m => m.Split('\n')[0] == line);
                if (found is not null) return found;
                Assert.True(clock.Elapsed < Poll.Deadline, $"no {line} on the notify socket; got:\n{string.Join("\n--\n", messages)}\n{fulcrum.Output}");
                await Task.Delay(10);
            }
        }

        public void Dispose()
        {
            _socket.Dispose();
            try
            {
                _receiving.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }

            File.Delete(Path);
        }

        private async Task ReceiveAsync()
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var received = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                    _messages.Enqueue(Encoding.UTF8.GetString(buffer, 0, received));
                }
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                // Disposed: the test is over.
            }
        }
    }
}
