using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Fulcrum.L7.Tests.Support;

/// <summary>
/// Which types a stretch of code allocates, from the runtime's own sampling: the GC's AllocationTick event names the
/// type of the object that crossed each ~100 KB of allocation, so over many megabytes the counts say where the
/// bytes go. It allocates itself (each event), so it is for finding allocations, never for counting them.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, int> _samples = new();

    /// <summary>Samples per type name, most first.</summary>
    public IEnumerable<(string Type, int Samples)> Top(int count) =>
        _samples.OrderByDescending(s => s.Value).Take(count).Select(s => (s.Key, s.Value));

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null) return;
        var at = e.PayloadNames.IndexOf("TypeName");
        if (at >= 0 && e.Payload?[at] is string type) _samples.AddOrUpdate(type, 1, static (_, n) => n + 1);
    }
}
