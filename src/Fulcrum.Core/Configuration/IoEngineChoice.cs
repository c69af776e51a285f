namespace Fulcrum.Core.Configuration;

/// <summary>`io-engine:` how the L4 TCP relay moves bytes (docs/l4.md, "I/O engine").</summary>
public enum IoEngineChoice
{
    /// <summary>io_uring when the kernel allows it, else epoll.</summary>
    Auto,
    /// <summary>io_uring; epoll, with a warning, when the kernel refuses it.</summary>
    IoUring,
    /// <summary>.NET's sockets on the runtime's epoll threads.</summary>
    Epoll,
}
