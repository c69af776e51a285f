using Fulcrum.Core.Configuration;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Lab;

/// <summary>A Fulcrum balancer for one lab run, built as `fulcrum run` builds it, from config text the lab wrote.</summary>
internal static class LabBalancer
{
    /// <summary>Starts a balancer on <paramref name="yaml"/>; the config is the lab's own, so an error in it is a bug and throws.</summary>
    public static async Task<BalancerHost> StartAsync(string yaml, string scenario, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var loaded = ConfigLoader.LoadText(yaml, $"<lab {scenario}>");
        if (!loaded.IsValid) throw new InvalidOperationException("lab config is invalid: " + string.Join("; ", loaded.Errors));
        var host = new BalancerHost(loaded.Config!, loggerFactory);
        try
        {
            await host.StartAsync(cancellationToken, watchConfigFile: false);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>The http listener's URL.</summary>
    public static Uri Url(BalancerHost host, string path = "/") => new($"http://{host.Http.BoundEndpoints[LabConfig.ListenerName]}{path}");
}
