using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// Passes YamlDotNet's parser events through and stops at an alias whose anchor has not appeared yet in its document,
/// as YAML requires ("It is an error for an alias node to use an anchor that does not previously occur in the
/// document", YAML 1.2.2 section 7.1). YamlDotNet's representation model instead resolves such an alias once the
/// document is read, and when the alias is a mapping key, YamlAliasNode.Equals calls itself until the stack overflows,
/// which kills the process: no catch can turn that into a config error (found by fuzzing, fuzz/run.sh target config).
/// </summary>
internal sealed class AnchorsFirstParser(IParser inner) : IParser
{
    private readonly HashSet<string> _anchors = new(StringComparer.Ordinal);

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext()) return false;
        switch (inner.Current)
        {
            case DocumentStart:
                _anchors.Clear();
                break;
            case AnchorAlias alias when !_anchors.Contains(alias.Value.Value):
                // The message YamlDotNet gives a missing anchor, so YamlSyntaxError reports both alike.
                throw new AnchorNotFoundException(alias.Start, alias.End, $"The anchor '{alias.Value.Value}' does not exist");
            case NodeEvent { Anchor.IsEmpty: false } node:
                _anchors.Add(node.Anchor.Value);
                break;
        }

        return true;
    }
}
