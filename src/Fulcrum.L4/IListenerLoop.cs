using System.Net;
using Fulcrum.Core.Configuration;

namespace Fulcrum.L4;

/// <summary>One bound tcp or udp listener, as <see cref="ListenerReconciler"/> sees it.</summary>
internal interface IListenerLoop
{
    ListenerConfig Config { get; }
    IPEndPoint? BoundEndpoint { get; }
    void Update(ListenerConfig config);
    IPEndPoint Bind();
    void Start();
    Task StopAsync();
}
