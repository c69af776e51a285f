using System.Runtime.InteropServices;

namespace Fulcrum.Bench.Upgrade;

/// <summary>kill(2), for the SIGTERM that makes the last Fulcrum drain (Process.Kill sends SIGKILL).</summary>
public static class Posix
{
    private const int SigTerm = 15;

    public static void Terminate(int pid) => _ = kill(pid, SigTerm);

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for this one small call.
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
}
