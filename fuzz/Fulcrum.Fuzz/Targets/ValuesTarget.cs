using System.Text;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Fuzz.Targets;

/// <summary>
/// The config's value parsers for durations (`1h30m`, `1.5s`) and sizes (`64KiB`), each given the same text. Their
/// refusal is TryParse returning false; an accepted value is never negative.
/// </summary>
internal sealed class ValuesTarget : IFuzzTarget
{
    public string Name => "values";

    public string Parser => "DurationParser.TryParse, SizeParser.TryParse";

    public void Run(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        if (DurationParser.TryParse(text, out var duration) && duration < TimeSpan.Zero) throw new FuzzInvariantException($"a negative duration {duration}");
        if (SizeParser.TryParse(text, out var bytes) && bytes < 0) throw new FuzzInvariantException($"a negative size {bytes}");
    }
}
