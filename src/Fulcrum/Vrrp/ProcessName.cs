namespace Fulcrum.Vrrp;

/// <summary>
/// The process's name as the kernel keeps it (/proc/PID/comm, 15 bytes), which keepalived's track_process matches.
/// /proc/self is the thread group's leader, so writing its comm renames the process from any thread, and the kernel
/// tells keepalived at once (a PROC_EVENT_COMM on the proc connector, Linux 3.2 and later): no fork, no polling.
/// </summary>
internal static class ProcessName
{
    private const string Comm = "/proc/self/comm";

    /// <summary>The current name, or null where there is no /proc.</summary>
    public static string? Current => File.Exists(Comm) ? File.ReadAllText(Comm).TrimEnd('\n') : null;

    /// <summary>Renames the process; returns the failure's message, or null.</summary>
    public static string? Set(string name)
    {
        if (!OperatingSystem.IsLinux()) return "process names are Linux's";
        try
        {
            File.WriteAllText(Comm, name);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
