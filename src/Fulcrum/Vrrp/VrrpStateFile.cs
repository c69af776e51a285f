namespace Fulcrum.Vrrp;

/// <summary>
/// The file keepalived's track_file reads: `0` while this node serves, `1` while it yields. Written by renaming a
/// sibling over it, so keepalived (which watches the directory with inotify for a close-after-write or a move in)
/// never reads half a value, and so a file another user created (keepalived's init_file, as root) is replaced rather
/// than needing its permission.
/// </summary>
internal static class VrrpStateFile
{
    public const string Serving = "0";
    public const string Yielding = "1";

    /// <summary>Writes <paramref name="value"/>; returns the failure's message, or null.</summary>
    public static string? Write(string path, string value)
    {
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            Directory.CreateDirectory(directory);
            var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
            File.WriteAllText(temporary, value + "\n");
            File.Move(temporary, path, overwrite: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
