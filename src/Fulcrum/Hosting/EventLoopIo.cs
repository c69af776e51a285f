namespace Fulcrum.Hosting;

/// <summary>
/// How the process runs socket I/O. By default Fulcrum runs it as event loops, the way nginx and HAProxy
/// do: one loop per CPU (the runtime's epoll threads), every socket continuation (Kestrel's parser, the
/// route, the backend leg, TLS records) runs on the loop that saw the event, and idle thread-pool workers
/// do not spin. .NET's default hands every readiness event from the epoll thread to a thread-pool worker,
/// which on a busy CPU is a context switch per event, four per proxied request: that hand-off, not
/// HTTP or TLS, was most of Fulcrum's CPU per request (docs/performance.md, "Event-loop I/O").
/// <c>FULCRUM_IO=thread-pool</c> restores .NET's default scheduling.
/// </summary>
internal static class EventLoopIo
{
    public const string Variable = "FULCRUM_IO";

    /// <summary>True once <see cref="Configure"/> switched event loops on.</summary>
    public static bool Enabled { get; private set; }

    /// <summary>
    /// Must run first in Main: the runtime reads these settings once, when the first socket and the thread
    /// pool start. A setting the user already gave in the environment is left as it is.
    /// </summary>
    public static void Configure()
    {
        if (string.Equals(Environment.GetEnvironmentVariable(Variable), "thread-pool", StringComparison.OrdinalIgnoreCase)) return;
        SetDefault("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        SetDefault("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Work rarely reaches the pool now (timers, health checks, the admin API); a worker that spins for
        // more would take the CPU from the loops.
        // The thread pool reads this knob from the environment or from AppContext data, whichever it looks at
        // first; both are set, unless the user gave a value.
        if (SetDefault("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", "0"))
        {
            AppContext.SetData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", 0);
        }

        Enabled = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1";
    }

    /// <summary>What the start-up log says: which scheduling runs, and how to change it.</summary>
    public static string Describe() => Enabled
        ? $"event loops on {Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT")} threads ({Variable}=thread-pool for .NET's thread pool)"
        : "thread pool";

    /// <summary>Sets <paramref name="name"/> unless the user did; true when it was set here.</summary>
    private static bool SetDefault(string name, string value)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))) return false;
        Environment.SetEnvironmentVariable(name, value);
        return true;
    }
}
