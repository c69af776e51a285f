namespace Fulcrum.Fuzz.Tests;

/// <summary>A parser with a bug on every input, to see that the runner reports it.</summary>
internal sealed class ThrowingTarget : IFuzzTarget
{
    public string Name => "throwing";

    public string Parser => "none";

    public void Run(ReadOnlySpan<byte> input) => throw new IndexOutOfRangeException();
}
