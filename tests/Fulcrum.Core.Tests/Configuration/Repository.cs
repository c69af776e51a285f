namespace Fulcrum.Core.Tests.Configuration;

internal static class Repository
{
    /// <summary>The folder holding Fulcrum.slnx, found by walking up from the test binaries.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fulcrum.slnx"))) return dir.FullName;
        }

        throw new InvalidOperationException("no Fulcrum.slnx above " + AppContext.BaseDirectory);
    }
}
