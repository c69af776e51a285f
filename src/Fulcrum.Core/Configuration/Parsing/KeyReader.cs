using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>Reads one key's value into a copy of the record being built (records are immutable: use `with`).</summary>
internal delegate T KeyReader<T>(T target, YamlNode value, ParseContext context);
