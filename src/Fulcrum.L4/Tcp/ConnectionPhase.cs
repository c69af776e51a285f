namespace Fulcrum.L4.Tcp;

internal enum ConnectionPhase
{
    /// <summary>Reading a PROXY header or a ClientHello; bounded by the listener's inspect-timeout.</summary>
    Inspecting,
    /// <summary>Waiting for a backend slot or connecting; bounded by queue-timeout and connect-timeout.</summary>
    Connecting,
    /// <summary>Moving bytes; bounded by idle-timeout, total-timeout and drain-timeout.</summary>
    Relaying,
    Closed,
}
