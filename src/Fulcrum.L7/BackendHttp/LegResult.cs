using Yarp.ReverseProxy.Forwarder;

namespace Fulcrum.L7.BackendHttp;

/// <summary>One request on the lean leg: the error (None on success) and the body bytes each way.</summary>
internal readonly record struct LegResult(ForwarderError Error, long Sent, long Received);
