namespace Fulcrum.L7.BackendHttp;

/// <summary>Where a request on the lean leg is, which decides what a failure means (and which side caused it).</summary>
internal enum LegPhase
{
    Connect,
    /// <summary>Sending the head (and a small body with it) to the backend.</summary>
    SendHead,
    /// <summary>Reading the client's body (streamed).</summary>
    ReadClientBody,
    /// <summary>Writing the client's body to the backend (streamed).</summary>
    WriteBackendBody,
    /// <summary>Waiting for and reading the backend's response head.</summary>
    ResponseHead,
    /// <summary>Reading the backend's response body.</summary>
    ReadBackendBody,
    /// <summary>Writing the response body to the client.</summary>
    WriteClientBody,
}
