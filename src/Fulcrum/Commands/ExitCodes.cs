namespace Fulcrum.Commands;

/// <summary>The process exit codes scripts rely on (docs/cli.md).</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Something failed while running, e.g. a listener could not bind.</summary>
    public const int RuntimeFailure = 1;
    /// <summary>The command line or the config file is wrong; nothing was started.</summary>
    public const int BadUsage = 2;
}
