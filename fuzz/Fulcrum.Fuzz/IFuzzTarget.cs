namespace Fulcrum.Fuzz;

/// <summary>
/// One parser under fuzzing. <see cref="Run"/> feeds it one input and returns normally when the parser accepted the
/// input or refused it the documented way (a false TryParse, an Invalid status, a ConfigLoadResult with errors, the
/// exception type its caller catches). Anything else escapes as an exception, which AFL++ records as a crash: an
/// unexpected exception (IndexOutOfRange, NullReference, InvalidOperation, Overflow...), a
/// <see cref="FuzzInvariantException"/> when the parser's answers disagree with each other, or a stack overflow.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>The name fuzz/run.sh and the corpus folder use (fuzz/corpus/NAME, fuzz/dict/NAME.dict).</summary>
    string Name { get; }

    /// <summary>What it drives, for the report.</summary>
    string Parser { get; }

    void Run(ReadOnlySpan<byte> input);
}
