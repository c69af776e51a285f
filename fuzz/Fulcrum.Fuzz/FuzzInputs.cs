namespace Fulcrum.Fuzz;

/// <summary>Where a target's seed corpus and dictionary live in the repository, and reading them.</summary>
public static class FuzzInputs
{
    /// <summary>The fuzz/ folder (the one holding corpus/ and run.sh) at or above <paramref name="start"/>.</summary>
    public static string FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "corpus")) && File.Exists(Path.Combine(dir.FullName, "run.sh"))) return dir.FullName;
            var nested = Path.Combine(dir.FullName, "fuzz");
            if (Directory.Exists(Path.Combine(nested, "corpus")) && File.Exists(Path.Combine(nested, "run.sh"))) return nested;
        }

        throw new DirectoryNotFoundException("no fuzz/corpus above " + start);
    }

    public static string CorpusDirectory(string fuzzRoot, string target) => Path.Combine(fuzzRoot, "corpus", target);

    public static string DictionaryFile(string fuzzRoot, string target) => Path.Combine(fuzzRoot, "dict", target + ".dict");

    /// <summary>Every file under the paths given (files as they are, directories recursively), in a stable order.</summary>
    public static IReadOnlyList<(string Path, byte[] Data)> Read(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path)) files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.') && !f.EndsWith("README.txt", StringComparison.Ordinal)));
            else if (File.Exists(path)) files.Add(path);
            else throw new FileNotFoundException($"no such file or directory: {path}", path);
        }

        files.Sort(StringComparer.Ordinal);
        return [.. files.Select(f => (f, File.ReadAllBytes(f)))];
    }
}
