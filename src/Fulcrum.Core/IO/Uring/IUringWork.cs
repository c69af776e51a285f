namespace Fulcrum.Core.IO.Uring;

/// <summary>
/// Work another thread hands to a <see cref="UringLoop"/> (<see cref="UringLoop.Post"/>): a single-issuer ring takes
/// submissions from its own thread only. The object is its own queue entry, so a post allocates nothing.
/// </summary>
internal interface IUringWork
{
    /// <summary>Runs on the loop's thread; <paramref name="what"/> is the value given to Post.</summary>
    void Run(int what);
}
