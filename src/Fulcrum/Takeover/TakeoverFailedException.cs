namespace Fulcrum.Takeover;

/// <summary>A process answered at the takeover socket but the takeover could not go on: nothing was adopted.</summary>
internal sealed class TakeoverFailedException(string message, Exception? inner = null) : Exception(message, inner);
