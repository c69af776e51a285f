using System.Runtime.InteropServices;

namespace Fulcrum.Bench.Ha.Lab;

/// <summary>The few system calls the lab needs that .NET does not wrap.</summary>
internal static class Posix
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int CLONE_NEWNET = 0x40000000;

    public static void Kill(int pid, int signal)
    {
        if (kill(pid, signal) != 0) throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public static bool IsAlive(int pid) => kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1; // EPERM: alive, not ours

    public static bool IsRoot => geteuid() == 0;

    /// <summary>Moves the calling thread into the network namespace <paramref name="fd"/> refers to (setns(2)).</summary>
    public static void EnterNetworkNamespace(int fd)
    {
        if (setns(fd, CLONE_NEWNET) != 0) throw new InvalidOperationException($"setns failed: errno {Marshal.GetLastPInvokeError()}");
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for these small calls.
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    [DllImport("libc")]
    private static extern uint geteuid();
#pragma warning restore SYSLIB1054
}
