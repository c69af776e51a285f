using Fulcrum.L7.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Fulcrum.L7.Tests.Hosting;

/// <summary>The drain of a `front-end: kestrel` listener after a takeover: complete only once it accepts no more and no connection is left.</summary>
public sealed class ListenerConnectionsTests
{
    [Fact]
    public void TheDrain_WaitsForTheEndOfAccepting_AndForAConnectionAcceptedAfterTheGentleClose()
    {
        var connections = new ListenerConnections();
        connections.CloseGently();
        Assert.False(connections.Drained.IsCompleted); // still accepting: a client may land here yet

        var late = new Connection();
        connections.Opened(late);
        connections.AcceptingStopped();
        Assert.False(connections.Drained.IsCompleted); // the late one is still being served

        connections.Closed(late);
        Assert.True(connections.Drained.IsCompleted);
    }

    private sealed class Connection : ConnectionContext
    {
        public override string ConnectionId { get; set; } = "late";
        public override IFeatureCollection Features { get; } = new FeatureCollection();
        public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();
        public override System.IO.Pipelines.IDuplexPipe Transport { get; set; } = null!;
    }
}
