namespace Fulcrum.L7.Transforms;

/// <summary>
/// The headers of the request going to the backend, as <see cref="RouteTransformer.EditRequest{THeaders}"/> edits
/// them. Two implementations share that one edit logic: <see cref="MessageRequestHeaders"/> over YARP's
/// HttpRequestMessage, and <see cref="BackendHttp.OutgoingHeaders"/> for the lean HTTP/1.1 backend leg.
/// </summary>
internal interface IProxyRequestHeaders
{
    void Remove(string name);

    void Add(string name, string value);
}
