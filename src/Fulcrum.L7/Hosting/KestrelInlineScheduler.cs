using System.IO.Pipelines;
using System.Reflection;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Fulcrum.L7.Hosting;

/// <summary>
/// Makes a KestrelServer run its HTTP/2 streams on the thread that read their frames, as the socket transport already
/// does for connections under event-loop I/O (<see cref="HttpDataPlane.InlineScheduling"/>). Kestrel hands every HTTP/2
/// stream to the thread pool (Http2Connection queues each one), and every response to a connection's frame writer
/// through a channel whose reader is another thread-pool item, unless its scheduler is PipeScheduler.Inline, which
/// KestrelServer sets only in its own tests and offers no option for (docs/performance.md, "HTTP/2 (Kestrel): where the
/// time goes"). The field and property are Kestrel's internals, so a Kestrel without them keeps its thread pool.
/// </summary>
internal static class KestrelInlineScheduler
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    /// <summary>True when the server's streams now run inline; false when this Kestrel's internals are not the ones known.</summary>
    public static bool TryApply(KestrelServer server)
    {
        try
        {
            var inner = typeof(KestrelServer).GetField("_innerKestrelServer", Instance)?.GetValue(server);
            var context = inner?.GetType().GetProperty("ServiceContext", Instance)?.GetValue(inner);
            var scheduler = context?.GetType().GetProperty("Scheduler", Instance);
            if (scheduler is null || scheduler.PropertyType != typeof(PipeScheduler) || !scheduler.CanWrite) return false;
            scheduler.SetValue(context, PipeScheduler.Inline);
            return ReferenceEquals(scheduler.GetValue(context), PipeScheduler.Inline);
        }
        catch (Exception e) when (e is TargetException or MemberAccessException or ArgumentException or TargetInvocationException)
        {
            return false;
        }
    }
}
