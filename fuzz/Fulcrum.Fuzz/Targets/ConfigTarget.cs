using System.Text;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Fuzz.Targets;

/// <summary>
/// The YAML config loader, YamlDotNet's scanner and parser included, as `fulcrum validate` and a reload run it.
/// Its contract (ConfigLoadResult, ConfigRobustnessTests): a config or errors, never both and never neither, every
/// error with a message and a place (line and column from 1), and never an exception.
/// </summary>
internal sealed class ConfigTarget : IFuzzTarget
{
    public string Name => "config";

    public string Parser => "ConfigLoader.LoadText";

    public void Run(ReadOnlySpan<byte> input)
    {
        var result = ConfigLoader.LoadText(Encoding.UTF8.GetString(input), "fuzz.yaml");
        if ((result.Config is null) == result.Errors.IsEmpty)
        {
            throw new FuzzInvariantException($"a config and {result.Errors.Length} errors at once, or neither");
        }

        foreach (var error in result.Errors)
        {
            if (error.Location.Line < 1 || error.Location.Column < 1 || string.IsNullOrWhiteSpace(error.Message))
            {
                throw new FuzzInvariantException($"an error without a place or a message: {error}");
            }
        }
    }
}
