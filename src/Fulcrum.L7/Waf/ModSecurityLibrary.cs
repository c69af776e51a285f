using System.Runtime.InteropServices;

namespace Fulcrum.L7.Waf;

/// <summary>
/// libmodsecurity's C API (ModSecurity v3, Debian's libmodsecurity3; the prototypes of modsecurity/modsecurity.h,
/// rules_set.h, transaction.h and intervention.h), loaded once with <see cref="NativeLibrary"/> and called through
/// function pointers: every argument is a pointer or an integer, so a call marshals nothing. Loading by hand, rather
/// than with DllImport, makes a missing library one error a config check reports, not an exception at the first request.
/// </summary>
internal sealed unsafe class ModSecurityLibrary
{
    /// <summary>The soname Debian's libmodsecurity3 installs.</summary>
    public const string DefaultName = "libmodsecurity.so.3";

    /// <summary>An environment variable naming another build of the library (a path or a soname).</summary>
    public const string PathVariable = "FULCRUM_MODSECURITY_LIBRARY";

    private static readonly Lazy<(ModSecurityLibrary? Library, string? Error)> Loaded = new(Load);

    private ModSecurityLibrary(string name, nint handle)
    {
        Name = name;
        Init = (delegate* unmanaged<nint>)Export(handle, "msc_init");
        WhoAmI = (delegate* unmanaged<nint, byte*>)Export(handle, "msc_who_am_i");
        SetConnectorInfo = (delegate* unmanaged<nint, byte*, void>)Export(handle, "msc_set_connector_info");
        SetLogCallback = (delegate* unmanaged<nint, delegate* unmanaged<nint, nint, void>, void>)Export(handle, "msc_set_log_cb");
        CreateRulesSet = (delegate* unmanaged<nint>)Export(handle, "msc_create_rules_set");
        RulesAdd = (delegate* unmanaged<nint, byte*, byte**, int>)Export(handle, "msc_rules_add");
        RulesAddFile = (delegate* unmanaged<nint, byte*, byte**, int>)Export(handle, "msc_rules_add_file");
        RulesCleanup = (delegate* unmanaged<nint, int>)Export(handle, "msc_rules_cleanup");
        NewTransactionWithId = (delegate* unmanaged<nint, nint, byte*, nint, nint>)Export(handle, "msc_new_transaction_with_id");
        NewTransaction = (delegate* unmanaged<nint, nint, nint, nint>)Export(handle, "msc_new_transaction");
        ProcessConnection = (delegate* unmanaged<nint, byte*, int, byte*, int, int>)Export(handle, "msc_process_connection");
        ProcessUri = (delegate* unmanaged<nint, byte*, byte*, byte*, int>)Export(handle, "msc_process_uri");
        AddRequestHeader = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, int>)Export(handle, "msc_add_n_request_header");
        ProcessRequestHeaders = (delegate* unmanaged<nint, int>)Export(handle, "msc_process_request_headers");
        AppendRequestBody = (delegate* unmanaged<nint, byte*, nuint, int>)Export(handle, "msc_append_request_body");
        ProcessRequestBody = (delegate* unmanaged<nint, int>)Export(handle, "msc_process_request_body");
        Intervention = (delegate* unmanaged<nint, ModSecurityIntervention*, int>)Export(handle, "msc_intervention");
        TransactionCleanup = (delegate* unmanaged<nint, void>)Export(handle, "msc_transaction_cleanup");
    }

    /// <summary>What was loaded: the soname or the path <see cref="PathVariable"/> gave.</summary>
    public string Name { get; }

    public readonly delegate* unmanaged<nint> Init;
    public readonly delegate* unmanaged<nint, byte*> WhoAmI;
    public readonly delegate* unmanaged<nint, byte*, void> SetConnectorInfo;
    public readonly delegate* unmanaged<nint, delegate* unmanaged<nint, nint, void>, void> SetLogCallback;
    public readonly delegate* unmanaged<nint> CreateRulesSet;
    /// <summary>Returns the rules added, or -1 with a malloc'ed error text the caller frees.</summary>
    public readonly delegate* unmanaged<nint, byte*, byte**, int> RulesAdd;
    public readonly delegate* unmanaged<nint, byte*, byte**, int> RulesAddFile;
    public readonly delegate* unmanaged<nint, int> RulesCleanup;
    public readonly delegate* unmanaged<nint, nint, byte*, nint, nint> NewTransactionWithId;
    public readonly delegate* unmanaged<nint, nint, nint, nint> NewTransaction;
    public readonly delegate* unmanaged<nint, byte*, int, byte*, int, int> ProcessConnection;
    public readonly delegate* unmanaged<nint, byte*, byte*, byte*, int> ProcessUri;
    public readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, int> AddRequestHeader;
    public readonly delegate* unmanaged<nint, int> ProcessRequestHeaders;
    public readonly delegate* unmanaged<nint, byte*, nuint, int> AppendRequestBody;
    public readonly delegate* unmanaged<nint, int> ProcessRequestBody;
    /// <summary>Non-zero when the rules decided to interrupt; the intervention's url and log are malloc'ed, the caller frees them.</summary>
    public readonly delegate* unmanaged<nint, ModSecurityIntervention*, int> Intervention;
    public readonly delegate* unmanaged<nint, void> TransactionCleanup;

    /// <summary>The library, or null with why it could not be loaded (the same answer for the life of the process).</summary>
    public static ModSecurityLibrary? TryGet(out string? error)
    {
        var (library, failure) = Loaded.Value;
        error = failure;
        return library;
    }

    private static (ModSecurityLibrary?, string?) Load()
    {
        var name = Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } given ? given : DefaultName;
        try
        {
            return (new ModSecurityLibrary(name, NativeLibrary.Load(name)), null);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException)
        {
            // The runtime's message ends with the loader's own line (dlerror), the one worth showing.
            var reason = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
            return (null, $"the WAF needs ModSecurity v3 and {name} could not be loaded ({reason}); install Debian's libmodsecurity3, or set the route's waf mode to off");
        }
    }

    private static nint Export(nint handle, string name) => NativeLibrary.GetExport(handle, name);
}
