using System.Runtime.InteropServices;

namespace Fulcrum.L7.Waf;

/// <summary>
/// The process's one ModSecurity instance (msc_init), which every rule set and transaction hangs off, with the log
/// callback that hands each rule match to the <see cref="WafFindings"/> of the request being inspected on that thread.
/// Made on first use and kept for the life of the process, as nginx's connector keeps its own.
/// </summary>
internal sealed unsafe class ModSecurityEngine
{
    private static readonly Lazy<(ModSecurityEngine? Engine, string? Error)> Made = new(Make);

    private ModSecurityEngine(ModSecurityLibrary library, nint handle)
    {
        Library = library;
        Handle = handle;
        Version = Marshal.PtrToStringUTF8((nint)library.WhoAmI(handle)) ?? "ModSecurity";
    }

    public ModSecurityLibrary Library { get; }

    /// <summary>The ModSecurity* of msc_init.</summary>
    public nint Handle { get; }

    /// <summary>What the library says it is, e.g. "ModSecurity v3.0.9 (Linux)".</summary>
    public string Version { get; }

    /// <summary>The engine, or null with why (the library is missing).</summary>
    public static ModSecurityEngine? TryGet(out string? error)
    {
        var (engine, failure) = Made.Value;
        error = failure;
        return engine;
    }

    private static (ModSecurityEngine?, string?) Make()
    {
        if (ModSecurityLibrary.TryGet(out var error) is not { } library) return (null, error);
        var handle = library.Init();
        if (handle == 0) return (null, "msc_init failed");
        fixed (byte* connector = "Fulcrum"u8)
        {
            library.SetConnectorInfo(handle, connector);
        }

        library.SetLogCallback(handle, &OnRuleMessage);
        return (new ModSecurityEngine(library, handle), null);
    }

    // ModSecurity calls this synchronously, inside msc_process_*, on the thread that called it, once per rule match
    // that logs (the text of ModSecurity's error log line). Must not throw into native code.
    [UnmanagedCallersOnly]
    private static void OnRuleMessage(nint data, nint message)
    {
        try
        {
            WafFindings.Current?.Add((byte*)message);
        }
        catch
        {
            // A finding lost is better than an exception crossing into C++.
        }
    }
}
