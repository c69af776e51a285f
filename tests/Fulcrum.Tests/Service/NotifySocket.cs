using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Fulcrum.Tests.Service;

/// <summary>A unix datagram socket bound at a path, collecting what is sent to it, as systemd's notify socket does.</summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly ConcurrentQueue<string> _messages = new();
    private readonly Task _receiving;

    public NotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        // The service may run as another user (the package test runs it as fulcrum).
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        _receiving = Task.Run(ReceiveAsync);
    }

    public string Path { get; }

    public IReadOnlyList<string> Messages => [.. _messages];

    /// <summary>The first message, after <paramref name="after"/> when given, whose first line is <paramref name="line"/>.</summary>
    public async Task<string> WaitForAsync(string line, Func<string> output, string? after = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var messages = Messages.ToList();
            var start = after is null ? 0 : messages.IndexOf(after) + 1;
            var found = messages.Skip(start).FirstOrDefault(m => m.Split('\n')[0] == line);
            if (found is not null) return found;
            Assert.True(clock.Elapsed < Poll.Deadline, $"no {line} on the notify socket; got:\n{string.Join("\n--\n", messages)}\n{output()}");
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
