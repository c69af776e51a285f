namespace Fulcrum.L4.Pump;

/// <summary>The engines' names, as the config, FULCRUM_IO_ENGINE and the start-up log spell them.</summary>
internal static class IoEngineNames
{
    public const string Epoll = "epoll";
    public const string IoUring = "io_uring";
}
