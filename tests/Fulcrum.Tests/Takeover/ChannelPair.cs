using System.Net.Sockets;
using Fulcrum.Takeover;

namespace Fulcrum.Tests.Takeover;

/// <summary>Two ends of one takeover connection, over a Unix socket in a temporary directory.</summary>
internal sealed class ChannelPair : IDisposable
{
    private readonly DirectoryInfo _directory;

    private ChannelPair(DirectoryInfo directory, TakeoverChannel sender, TakeoverChannel receiver)
    {
        _directory = directory;
        Sender = sender;
        Receiver = receiver;
    }

    public TakeoverChannel Sender { get; }
    public TakeoverChannel Receiver { get; }

    public static async Task<ChannelPair> OpenAsync()
    {
        var directory = Directory.CreateTempSubdirectory("fulcrum-takeover-");
        var path = Path.Combine(directory.FullName, "takeover.sock");
        using var listener = TakeoverChannel.NewSocket();
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var accepting = listener.AcceptAsync();
        var receiver = TakeoverChannel.Connect(path) ?? throw new InvalidOperationException("nobody listens");
        var sender = new TakeoverChannel(await accepting.WaitAsync(Poll.Deadline));
        return new ChannelPair(directory, sender, receiver);
    }

    public void Dispose()
    {
        Sender.Dispose();
        Receiver.Dispose();
        _directory.Delete(recursive: true);
    }
}
