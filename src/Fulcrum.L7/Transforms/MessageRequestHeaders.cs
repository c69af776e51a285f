namespace Fulcrum.L7.Transforms;

/// <summary>The headers of an HttpRequestMessage (YARP's forwarder), for the route's request edits.</summary>
internal readonly struct MessageRequestHeaders(HttpRequestMessage message) : IProxyRequestHeaders
{
    // Content headers (Content-Type, ...) live on the content in HttpClient's model; the rest on the request.
    public void Remove(string name)
    {
        message.Headers.Remove(name);
        message.Content?.Headers.Remove(name);
    }

    public void Add(string name, string value)
    {
        if (!message.Headers.TryAddWithoutValidation(name, value))
        {
            message.Content?.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
