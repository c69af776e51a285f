using Fulcrum.Core.Model;

namespace Fulcrum.Core.Observability;

/// <summary>The words logs use for an <see cref="Outcome"/>, as constants so logging one allocates nothing.</summary>
public static class OutcomeNames
{
    public static string Of(Outcome outcome) => outcome switch
    {
        Outcome.Success => "success",
        Outcome.ServerError => "server-error",
        Outcome.ConnectFailure => "connect-failure",
        Outcome.Reset => "reset",
        Outcome.Timeout => "timeout",
        _ => "client-abort",
    };
}
