using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>Reads a YAML config file into a validated <see cref="FulcrumConfig"/>.</summary>
public static class ConfigLoader
{
    public static ConfigLoadResult LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(null, [new ConfigError(new SourceLocation(path, 0, 0), $"cannot read file: {e.Message}")]);
        }

        return LoadText(text, path);
    }

    public static ConfigLoadResult LoadText(string yaml, string fileName)
    {
        // Placeholder until the parser lands.
        return new(null, ImmutableArray.Create(new ConfigError(new SourceLocation(fileName, 1, 1), "parser not implemented")));
    }
}
