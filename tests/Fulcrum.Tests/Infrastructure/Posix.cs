using System.Runtime.InteropServices;

namespace Fulcrum.Tests.Infrastructure;

/// <summary>Signals for child processes; .NET's Process can only kill.</summary>
internal static class Posix
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    public static void Kill(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for one int-only call.
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
}
