using System.Runtime.InteropServices;

namespace Fulcrum.L7.Waf;

/// <summary>ModSecurityIntervention (modsecurity/intervention.h): what the rules decided for a transaction.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ModSecurityIntervention
{
    public int Status;
    public int Pause;
    /// <summary>A redirect's target, malloc'ed, or null.</summary>
    public byte* Url;
    /// <summary>The disruptive rule's log line, malloc'ed, or null.</summary>
    public byte* Log;
    public int Disruptive;
}
