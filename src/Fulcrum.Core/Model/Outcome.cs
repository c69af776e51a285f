namespace Fulcrum.Core.Model;

/// <summary>How one unit of work on a backend ended; passive health and stats read it.</summary>
public enum Outcome
{
    Success,
    /// <summary>The backend answered with a 5xx that counts against it (502, 503, 504).</summary>
    ServerError,
    ConnectFailure,
    Reset,
    Timeout,
    /// <summary>The client went away; never held against the backend.</summary>
    ClientAbort,
}
