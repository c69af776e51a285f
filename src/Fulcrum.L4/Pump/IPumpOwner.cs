using Fulcrum.Core.IO.Uring;
using Fulcrum.Core.Model;

namespace Fulcrum.L4.Pump;

/// <summary>What an engine reports to the connection it relays for.</summary>
internal interface IPumpOwner
{
    /// <summary>Bytes arrived on either side: the idle timeout starts again.</summary>
    void Touch();

    /// <summary><paramref name="bytes"/> were sent on: to the backend, or back to the client.</summary>
    void Moved(bool toBackend, int bytes);

    /// <summary>One side failed: ends both directions, recording <paramref name="outcome"/>.</summary>
    void Abort(Outcome outcome);

    /// <summary>
    /// An engine whose operations must be cancelled before the sockets close (io_uring holds the files it works on)
    /// registers how; the connection's abort then calls it instead of closing the sockets. False when the connection
    /// was already aborted: the engine then starts nothing.
    /// </summary>
    bool Attach(IPumpAbort abort);

    /// <summary>The io_uring loop that accepted the connection, where its relay should run too; null: any.</summary>
    UringLoop? Loop { get; }
}
