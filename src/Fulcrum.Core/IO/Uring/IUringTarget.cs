namespace Fulcrum.Core.IO.Uring;

/// <summary>
/// What owns operations on a <see cref="UringLoop"/> (an L4 relay, an L7 connection): its completions come back here,
/// on the loop's thread, with the kind it put in the low byte of the operation's user_data.
/// </summary>
internal interface IUringTarget
{
    /// <summary>One completion of an operation this target submitted, on the loop's thread.</summary>
    void OnCompletion(int kind, int res, uint flags);

    /// <summary>Provided buffers came back to the ring after this target found none (<see cref="UringLoop.Starve"/>).</summary>
    void OnBuffersAvailable();
}
