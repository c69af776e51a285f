using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.IO.Uring;

/// <summary>FULCRUM_IO_ENGINE, which overrides the config's `io-engine:` for the L4 relay and the L7 connections alike.</summary>
internal static class IoEngineVariable
{
    public const string Name = "FULCRUM_IO_ENGINE";

    /// <summary>The choice the variable names; null when it names none (the caller logs and ignores it).</summary>
    public static IoEngineChoice? Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "epoll" => IoEngineChoice.Epoll,
        "io_uring" or "io-uring" or "iouring" => IoEngineChoice.IoUring,
        "auto" => IoEngineChoice.Auto,
        _ => null,
    };
}
