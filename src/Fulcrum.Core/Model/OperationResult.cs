namespace Fulcrum.Core.Model;

/// <summary>Why a runtime operation was refused; the admin API maps these to HTTP statuses.</summary>
public enum OperationError
{
    None,
    PoolNotFound,
    BackendNotFound,
    /// <summary>The request conflicts with the current state, e.g. adding an id that exists.</summary>
    Conflict,
    /// <summary>The input is invalid, e.g. a negative weight or an unparsable address.</summary>
    Invalid,
}

/// <summary>The outcome of a runtime operation: a value, never an exception.</summary>
public readonly record struct OperationResult(OperationError Error, string? Message, Backend? Backend = null)
{
    public bool Ok => Error == OperationError.None;

    public static OperationResult Success(Backend? backend = null) => new(OperationError.None, null, backend);

    public static OperationResult Fail(OperationError error, string message) => new(error, message);
}
