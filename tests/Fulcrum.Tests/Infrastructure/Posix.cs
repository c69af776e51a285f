using System.Runtime.InteropServices;

namespace Fulcrum.Tests.Infrastructure;

/// <summary>Signals for child processes (.NET's Process can only kill) and rename(2), which .NET's moves wrap in checks.</summary>
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

    /// <summary>
    /// Renames atomically, replacing whatever the new name is, a symlink to a directory included (File.Move
    /// refuses a source that is a link to a directory, and Directory.Move an existing destination).
    /// </summary>
    public static void Rename(string from, string to)
    {
        if (rename(from, to) != 0)
        {
            throw new IOException($"rename({from}, {to}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for these small calls.
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc", SetLastError = true)]
    private static extern int rename(string oldpath, string newpath);
#pragma warning restore SYSLIB1054
}
