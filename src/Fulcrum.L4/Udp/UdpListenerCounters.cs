namespace Fulcrum.L4.Udp;

/// <summary>What one udp listener did with the datagrams it got; read by metrics and tests.</summary>
public sealed class UdpListenerCounters
{
    internal long ForwardedDatagrams;
    internal long RepliedDatagrams;
    internal long DroppedOversized;
    internal long DroppedMalformed;
    internal long DroppedSessionLimit;
    internal long DroppedNoBackend;
    internal long SessionsCreated;
    internal long SessionsExpired;
    internal int ActiveSessions;

    public long Forwarded => Volatile.Read(ref ForwardedDatagrams);
    public long Replied => Volatile.Read(ref RepliedDatagrams);
    /// <summary>Datagrams larger than max-datagram-size.</summary>
    public long Oversized => Volatile.Read(ref DroppedOversized);
    /// <summary>Datagrams that cannot be forwarded as they are (empty, or truncated by the kernel).</summary>
    public long Malformed => Volatile.Read(ref DroppedMalformed);
    /// <summary>Datagrams from new clients while max-sessions were open.</summary>
    public long OverSessionLimit => Volatile.Read(ref DroppedSessionLimit);
    public long NoBackend => Volatile.Read(ref DroppedNoBackend);
    public long Created => Volatile.Read(ref SessionsCreated);
    public long Expired => Volatile.Read(ref SessionsExpired);
    public int Sessions => Volatile.Read(ref ActiveSessions);
}
