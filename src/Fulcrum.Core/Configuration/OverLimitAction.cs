namespace Fulcrum.Core.Configuration;

/// <summary>What a tcp listener or pool does with a connection beyond its connection limit.</summary>
public enum OverLimitAction
{
    /// <summary>Hold it: a listener stops accepting (the kernel backlog waits), a pool waits up to `queue-timeout` for a slot.</summary>
    Queue,
    /// <summary>Close it at once.</summary>
    Refuse,
}
