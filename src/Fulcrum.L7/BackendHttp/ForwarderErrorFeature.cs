using Yarp.ReverseProxy.Forwarder;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// What went wrong on the lean backend leg, reported through YARP's own feature so the outcome classifier,
/// retries and the error answers read one shape whichever leg forwarded the request.
/// </summary>
internal sealed class ForwarderErrorFeature(ForwarderError error, Exception? exception) : IForwarderErrorFeature
{
    public ForwarderError Error { get; } = error;

    public Exception? Exception { get; } = exception;
}
