using System.ComponentModel;
using System.Net.Sockets;
using System.Text.Json;
using Fulcrum.Core.Handover;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Takeover;

/// <summary>
/// The new process's side of a takeover: connect to the running process's takeover socket, say hello, receive its
/// listening sockets and runtime state; once every listener of this process serves, say ready and wait for the old
/// process to confirm it stopped accepting. Until ready, the old process serves as if nothing happened, so a new
/// process that fails to start leaves nothing broken behind.
/// </summary>
internal sealed class TakeoverClient : IDisposable
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);
    // The old process answers at once; generous for a machine too busy to schedule it.
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    private readonly TakeoverChannel _channel;

    private TakeoverClient(TakeoverChannel channel, InheritedSockets sockets, RuntimeState? state, int pid)
    {
        _channel = channel;
        Sockets = sockets;
        State = state;
        Pid = pid;
    }

    /// <summary>The listening sockets received, for the listeners to claim.</summary>
    public InheritedSockets Sockets { get; }

    /// <summary>The old process's overlay, operator intents and health state.</summary>
    public RuntimeState? State { get; }

    /// <summary>The old process's id.</summary>
    public int Pid { get; }

    /// <summary>
    /// Takes over from the process serving <paramref name="path"/>; null when none does (no file, or nobody accepting
    /// there). Throws <see cref="TakeoverFailedException"/> when one answers but refuses or breaks the dialogue.
    /// </summary>
    public static TakeoverClient? Connect(string path, ILogger log)
    {
        var channel = TakeoverChannel.Connect(path);
        if (channel is null)
        {
            TakeoverLog.NothingToTakeOver(log, path);
            return null;
        }

        try
        {
            channel.Send(new TakeoverMessage { Kind = TakeoverMessage.Hello, Pid = Environment.ProcessId, Version = Version }, [], SendTimeout);
            var (offer, descriptors) = channel.Receive(AnswerTimeout);
            if (offer is null) throw new TakeoverFailedException("it closed the connection");
            if (offer.Kind == TakeoverMessage.Refused) throw new TakeoverFailedException($"it refused: {offer.Reason}");
            if (offer.Kind != TakeoverMessage.Offer) throw new TakeoverFailedException($"it answered '{offer.Kind}' to hello");
            var sockets = new InheritedSockets(offer.Sockets ?? [], descriptors);
            TakeoverLog.Received(log, offer.Pid, sockets.Count, offer.State?.Pools.Count ?? 0);
            return new TakeoverClient(channel, sockets, offer.State, offer.Pid);
        }
        catch (Exception e) when (e is TimeoutException or Win32Exception or SocketException or JsonException or InvalidDataException or InvalidOperationException)
        {
            channel.Dispose();
            throw new TakeoverFailedException(e.Message, e);
        }
        catch
        {
            channel.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Every listener serves: close the sockets none claimed, tell the old process, and wait for it to say it stopped
    /// accepting. Returns null when it did, else why not.
    /// </summary>
    public string? Complete(ILogger log)
    {
        var claimed = Sockets.Claimed;
        Sockets.CloseUnclaimed();
        try
        {
            _channel.Send(new TakeoverMessage { Kind = TakeoverMessage.Ready, Pid = Environment.ProcessId }, [], SendTimeout);
            var (reply, stray) = _channel.Receive(AnswerTimeout);
            InheritedSockets.CloseShared(stray);
            if (reply?.Kind != TakeoverMessage.Draining) return reply is null ? "it closed the connection" : $"it answered '{reply.Kind}'";
        }
        catch (Exception e) when (e is TimeoutException or Win32Exception or SocketException or JsonException)
        {
            return e.Message;
        }

        TakeoverLog.TookOver(log, Pid, claimed, Sockets.Count, Sockets.Count - claimed);
        return null;
    }

    /// <summary>
    /// This process failed to start: leave the inherited sockets to the old process (closing them here must not shut
    /// them down) and end the dialogue, which tells it to go on serving.
    /// </summary>
    public void Abandon()
    {
        Sockets.MarkShared();
        Sockets.CloseUnclaimed();
        _channel.Dispose();
    }

    public void Dispose() => _channel.Dispose();

    private static string Version =>
        typeof(TakeoverClient).Assembly.GetName().Version?.ToString() ?? "unknown";
}
