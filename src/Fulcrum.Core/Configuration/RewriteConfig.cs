namespace Fulcrum.Core.Configuration;

/// <summary>
/// `transforms.rewrite`: when <see cref="Regex"/> is found in the client's decoded path, the path the backend sees
/// becomes <see cref="To"/>, whose `${1}` and `${name}` are the regex's captures (nginx's `rewrite REGEX REPLACEMENT`).
/// </summary>
public sealed record RewriteConfig
{
    public string Regex { get; init; } = "";
    public ValueTemplate To { get; init; } = ValueTemplate.Literal("/");
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
