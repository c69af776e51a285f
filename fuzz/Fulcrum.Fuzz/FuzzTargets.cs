using Fulcrum.Fuzz.Targets;

namespace Fulcrum.Fuzz;

/// <summary>Every parser Fulcrum owns that reads bytes or text from outside, found by name.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<IFuzzTarget> All { get; } =
    [
        new ConfigTarget(),
        new ProxyHeaderTarget(),
        new ClientHelloTarget(),
        new ResponseHeadTarget(),
        new ChunkedBodyTarget(),
        new Http2FramesTarget(),
        new HpackTarget(),
        new ValuesTarget(),
    ];

    public static IFuzzTarget? Find(string name)
    {
        foreach (var target in All)
        {
            if (string.Equals(target.Name, name, StringComparison.Ordinal)) return target;
        }

        return null;
    }
}
