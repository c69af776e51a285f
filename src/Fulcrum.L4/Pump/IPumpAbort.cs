namespace Fulcrum.L4.Pump;

/// <summary>Ends a relay from any thread: its pending operations are cancelled and the relay completes.</summary>
internal interface IPumpAbort
{
    void Abort();
}
