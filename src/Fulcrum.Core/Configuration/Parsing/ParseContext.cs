using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>One load of one file: where nodes are, the errors found so far, and facts for the cross-checks.</summary>
internal sealed class ParseContext(string file)
{
    public string File { get; } = file;
    public List<ConfigError> Errors { get; } = [];
    public ConfigFacts Facts { get; } = new();

    /// <summary>The index of the listener being read, so routes can say whose pool references they make.</summary>
    public int ListenerIndex { get; set; } = -1;

    public SourceLocation At(YamlNode node) => new(File, (int)node.Start.Line, (int)node.Start.Column);

    public void Error(YamlNode node, string message) => Errors.Add(new ConfigError(At(node), message));

    public void Error(SourceLocation location, string message) => Errors.Add(new ConfigError(location, message));
}
