using System.ComponentModel;
using System.Net.Sockets;
using System.Text.Json;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Takeover;

/// <summary>
/// The running process's side of a takeover (docs/ha.md, "Zero-downtime upgrade"): a Unix socket at the path given to
/// `fulcrum run --takeover`, readable and writable by this user only. A new process connects and says hello; this one
/// sends every listening socket (SCM_RIGHTS, as HAProxy's `-x` does) with the runtime state, and keeps serving until the
/// new process says ready. Then it answers draining and <see cref="HandedOver"/> completes: the caller stops accepting
/// and drains as on SIGTERM. A new process that goes away before ready changes nothing here. One takeover at a time.
/// </summary>
internal sealed class TakeoverServer : IDisposable
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);
    // From the offer to ready the new process starts every listener: generous for a busy machine.
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(2);

    private readonly string _path;
    private readonly BalancerHost _host;
    private readonly ILogger _log;
    private readonly TaskCompletionSource<int> _handedOver = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Socket _listener;
    private int _busy;

    private TakeoverServer(string path, BalancerHost host, ILogger log, Socket listener)
    {
        _path = path;
        _host = host;
        _log = log;
        _listener = listener;
    }

    /// <summary>Completes with the new process's id once it took over.</summary>
    public Task<int> HandedOver => _handedOver.Task;

    /// <summary>
    /// Serves <paramref name="path"/>, replacing whatever file is there: the caller made sure no process serves it (none
    /// answered, or the one that did handed over). Bound under a temporary name, restricted to this user, then renamed
    /// into place, so the path is never missing or open to others for a moment.
    /// </summary>
    public static TakeoverServer Start(string path, BalancerHost host, ILogger log)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = $"{full}.{Environment.ProcessId}.tmp";
        File.Delete(temporary);
        var listener = TakeoverChannel.NewSocket();
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(temporary));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(4);
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            listener.Dispose();
            File.Delete(temporary);
            throw;
        }

        var server = new TakeoverServer(full, host, log, listener);
        _ = server.AcceptLoopAsync();
        TakeoverLog.Serving(log, full);
        return server;
    }

    public void Dispose() => _listener.Dispose();

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            // The dialogue blocks on its socket (for up to ReadyTimeout): a thread of its own, not an event loop's.
            _ = Task.Factory.StartNew(() => Serve(client), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    private void Serve(Socket client)
    {
        using var channel = new TakeoverChannel(client);
        var pid = 0;
        try
        {
            var (hello, stray) = channel.Receive(HelloTimeout);
            InheritedSockets.CloseShared(stray);
            if (hello?.Kind != TakeoverMessage.Hello) return;
            pid = hello.Pid;
            if (_handedOver.Task.IsCompleted || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            {
                channel.Send(new TakeoverMessage { Kind = TakeoverMessage.Refused, Pid = Environment.ProcessId, Reason = "another takeover is under way" }, [], SendTimeout);
                return;
            }

            try
            {
                Offer(channel, pid);
            }
            finally
            {
                if (!_handedOver.Task.IsCompleted) Volatile.Write(ref _busy, 0);
            }
        }
        catch (Exception e) when (e is TimeoutException or Win32Exception or SocketException or JsonException or InvalidOperationException)
        {
            if (pid != 0) TakeoverLog.Abandoned(_log, pid, e.Message);
            else TakeoverLog.ConnectionFailed(_log, _path, e.Message);
        }
    }

    private void Offer(TakeoverChannel channel, int pid)
    {
        using var sockets = HandoverSockets.Gather(_host);
        var offer = new TakeoverMessage
        {
            Kind = TakeoverMessage.Offer,
            Pid = Environment.ProcessId,
            Sockets = sockets.Offers,
            State = _host.Store.CaptureRuntimeState(),
        };
        channel.Send(offer, sockets.Descriptors, SendTimeout);
        TakeoverLog.Offered(_log, sockets.Offers.Count, pid);

        var (reply, stray) = channel.Receive(ReadyTimeout);
        InheritedSockets.CloseShared(stray);
        if (reply?.Kind != TakeoverMessage.Ready)
        {
            TakeoverLog.Abandoned(_log, pid, reply is null ? "it closed the connection before it served" : $"it answered '{reply.Kind}'");
            return;
        }

        // From here the new process serves from the same sockets: closing ours must not shut them down.
        sockets.MarkShared();
        _listener.Dispose();
        channel.Send(new TakeoverMessage { Kind = TakeoverMessage.Draining, Pid = Environment.ProcessId }, [], SendTimeout);
        TakeoverLog.HandedOver(_log, pid);
        _handedOver.TrySetResult(pid);
    }
}
