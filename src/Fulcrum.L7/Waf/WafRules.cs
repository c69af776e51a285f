using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Fulcrum.L7.Waf;

/// <summary>
/// One loaded rule set (ModSecurity's RulesSet): Fulcrum's base directives, crs-setup.conf, the route's paranoia and
/// threshold, the CRS, and the exclusions. Read-only once loaded, so every request of every route that asks for the
/// same <see cref="WafRuleSetKey"/> shares it, each with a transaction of its own. A transaction holds a reference
/// (<see cref="SafeHandle.DangerousAddRef"/>), so a set a reload dropped is freed only after its last request.
/// </summary>
internal sealed unsafe class WafRules : SafeHandle
{
    // What one CRS rule set costs in native memory (measured: about 17.5 MiB, at paranoia 2 to 4 alike), so the GC
    // knows to finalize one a reload dropped.
    private const long NativeBytes = 17 << 20;

    // One load at a time in the process: ModSecurity's rule parser (bison and flex) is not reentrant. Two sets loaded
    // at once from two threads failed with syntax errors in the CRS's own files, at lines that parse alone.
    private static readonly object Loading = new();

    private WafRules(ModSecurityEngine engine, nint set, WafRuleSetKey key)
        : base(0, ownsHandle: true)
    {
        Engine = engine;
        Key = key;
        SetHandle(set);
        GC.AddMemoryPressure(NativeBytes);
    }

    public ModSecurityEngine Engine { get; }
    public WafRuleSetKey Key { get; }
    /// <summary>Rules and directives ModSecurity counted as it loaded them.</summary>
    public int Count { get; private set; }
    public TimeSpan LoadTime { get; private set; }

    public override bool IsInvalid => handle == 0;

    /// <summary>Loads the set <paramref name="key"/> names, or returns null with ModSecurity's error (which names the rule file and line).</summary>
    public static WafRules? Load(WafRuleSetKey key, out string? error)
    {
        if (ModSecurityEngine.TryGet(out error) is not { } engine) return null;
        if (!File.Exists(key.CrsSetup))
        {
            error = $"crs-setup '{key.CrsSetup}' does not exist (Debian's modsecurity-crs installs {Fulcrum.Core.Configuration.WafConfig.DebianCrsSetup})";
            return null;
        }

        var files = key.RuleFiles();
        if (files.Length == 0)
        {
            error = $"no CRS rules (*.conf) in '{key.RulesDirectory}' (Debian's modsecurity-crs installs them in {Fulcrum.Core.Configuration.WafConfig.DebianCrs}/rules)";
            return null;
        }

        lock (Loading) return Load(engine, key, files, out error);
    }

    private static WafRules? Load(ModSecurityEngine engine, WafRuleSetKey key, string[] files, out string? error)
    {
        var started = Stopwatch.GetTimestamp();
        var rules = new WafRules(engine, engine.Library.CreateRulesSet(), key);
        error = rules.AddText(WafBaseRules.Before)
            ?? rules.AddFile(key.CrsSetup)
            ?? rules.AddText(WafBaseRules.Policy(key.Paranoia, key.AnomalyThreshold, key.AllowedMethods))
            ?? rules.AddFiles(key.OptionalBefore)
            ?? rules.AddFiles(files)
            ?? rules.AddFiles(key.OptionalAfter)
            ?? rules.AddText(WafBaseRules.After)
            ?? rules.AddText(WafBaseRules.Exclusions(key.Exclusions));
        if (error is not null)
        {
            rules.Dispose();
            return null;
        }

        rules.LoadTime = Stopwatch.GetElapsedTime(started);
        return rules;
    }

    protected override bool ReleaseHandle()
    {
        Engine.Library.RulesCleanup(handle);
        GC.RemoveMemoryPressure(NativeBytes);
        return true;
    }

    private string? AddFiles(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            if (AddFile(file) is { } error) return error;
        }

        return null;
    }

    private string? AddFile(string path) => Add(path, Engine.Library.RulesAddFile);

    private string? AddText(string text) => text.Length == 0 ? null : Add(text, Engine.Library.RulesAdd);

    private string? Add(string argument, delegate* unmanaged<nint, byte*, byte**, int> add)
    {
        var bytes = Encoding.UTF8.GetBytes(argument + "\0");
        byte* error = null;
        int added;
        fixed (byte* text = bytes)
        {
            added = add(handle, text, &error);
        }

        if (added >= 0)
        {
            Count += added;
            if (error is not null) NativeMemory.Free(error);
            return null;
        }

        var message = error is null ? "ModSecurity could not load the rules" : Marshal.PtrToStringUTF8((nint)error)!.Trim();
        if (error is not null) NativeMemory.Free(error);
        return message;
    }
}
