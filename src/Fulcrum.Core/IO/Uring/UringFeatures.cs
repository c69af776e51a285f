namespace Fulcrum.Core.IO.Uring;

/// <summary>
/// Ops the engine uses when the running kernel has them and does without when it does not, unlike the ones
/// <see cref="UringProbe"/> requires: each saves a system call per connection, none changes what a connection does.
/// Set by the probe before the first loop starts; a kernel that lists an op and then refuses it turns it off here.
/// </summary>
internal static class UringFeatures
{
    private static volatile bool _close;
    private static volatile bool _setSockOpt;

    /// <summary>IORING_OP_CLOSE (5.6+): a loop closes a socket in its next submission instead of with close(2).</summary>
    public static bool Close
    {
        get => _close;
        internal set => _close = value;
    }

    /// <summary>
    /// setsockopt through IORING_OP_URING_CMD (SOCKET_URING_OP_SETSOCKOPT, any level since 6.7): a backend socket's
    /// TCP_NODELAY goes in the same submission as its connect.
    /// </summary>
    public static bool SetSockOpt
    {
        get => _setSockOpt;
        internal set => _setSockOpt = value;
    }
}
