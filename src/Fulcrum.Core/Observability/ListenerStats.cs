namespace Fulcrum.Core.Observability;

/// <summary>
/// Live counters of one listener (by name), kept across reloads. The data planes bump them with Interlocked;
/// the metrics exporter and the dashboard read them.
/// </summary>
public sealed class ListenerStats
{
    private long _connections;
    private long _activeConnections;
    private long _requests;
    private long _bytesReceived;
    private long _bytesSent;
    private long _datagramsReceived;
    private long _datagramsSent;
    private volatile bool _datagrams;

    public ListenerStats(string name) => Name = name;

    public string Name { get; }
    /// <summary>Connections (L7, tcp) or sessions (udp) accepted so far.</summary>
    public long Connections => Volatile.Read(ref _connections);
    public long ActiveConnections => Volatile.Read(ref _activeConnections);
    /// <summary>Requests (http) or connections (tcp) or sessions (udp) handled.</summary>
    public long Requests => Volatile.Read(ref _requests);
    /// <summary>Bytes from clients.</summary>
    public long BytesReceived => Volatile.Read(ref _bytesReceived);
    /// <summary>Bytes to clients.</summary>
    public long BytesSent => Volatile.Read(ref _bytesSent);
    /// <summary>True for a udp listener: it counts datagrams, and only such listeners export them.</summary>
    public bool CountsDatagrams => _datagrams;
    /// <summary>Datagrams from clients (udp).</summary>
    public long DatagramsReceived => Volatile.Read(ref _datagramsReceived);
    /// <summary>Datagrams to clients (udp).</summary>
    public long DatagramsSent => Volatile.Read(ref _datagramsSent);

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _connections);
        Interlocked.Increment(ref _activeConnections);
    }

    public void ConnectionClosed() => Interlocked.Decrement(ref _activeConnections);

    public void Request(long bytesReceived, long bytesSent)
    {
        Interlocked.Increment(ref _requests);
        AddBytes(bytesReceived, bytesSent);
    }

    public void AddBytes(long bytesReceived, long bytesSent)
    {
        if (bytesReceived > 0) Interlocked.Add(ref _bytesReceived, bytesReceived);
        if (bytesSent > 0) Interlocked.Add(ref _bytesSent, bytesSent);
    }

    /// <summary>Marks a udp listener's counters: its datagram counts are exported.</summary>
    public void CountDatagrams() => _datagrams = true;

    /// <summary>A datagram came from a client (udp).</summary>
    public void DatagramReceived(long bytes)
    {
        Interlocked.Increment(ref _datagramsReceived);
        Interlocked.Add(ref _bytesReceived, bytes);
    }

    /// <summary>A datagram went to a client (udp).</summary>
    public void DatagramSent(long bytes)
    {
        Interlocked.Increment(ref _datagramsSent);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    /// <summary>A session (udp) ended: counted like a finished connection, its bytes already counted per datagram.</summary>
    public void SessionClosed()
    {
        Interlocked.Decrement(ref _activeConnections);
        Interlocked.Increment(ref _requests);
    }
}
