using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Fulcrum.L7.Hosting;

/// <summary>
/// The whole "application" Kestrel runs for a listener: one terminal request delegate, no middleware
/// pipeline, no endpoint routing. Reuses one <see cref="KestrelExchange"/> per connection the way ASP.NET's own
/// hosting layer reuses its context (Kestrel offers the slot through IHostContextContainer), so a request
/// allocates neither the HttpContext nor the exchange with its access-log record.
/// </summary>
internal sealed class ProxyApplication(Func<KestrelExchange, Task> handler, Action<KestrelExchange>? completed = null) : IHttpApplication<KestrelExchange>
{
    public KestrelExchange CreateContext(IFeatureCollection contextFeatures)
    {
        KestrelExchange exchange;
        if (contextFeatures is IHostContextContainer<KestrelExchange> container)
        {
            if (container.HostContext is { } reused)
            {
                reused.Http.Initialize(contextFeatures);
                exchange = reused;
            }
            else
            {
                // The connection's first request (HTTP/1.x; each HTTP/2 stream has a container of its own).
                exchange = new KestrelExchange(new DefaultHttpContext(contextFeatures));
                container.HostContext = exchange;
                ListenerConnections.MarkServing(contextFeatures);
            }
        }
        else
        {
            exchange = new KestrelExchange(new DefaultHttpContext(contextFeatures));
        }

        exchange.Begin();
        return exchange;
    }

    public Task ProcessRequestAsync(KestrelExchange context) => handler(context);

    public void DisposeContext(KestrelExchange context, Exception? exception)
    {
        // The request is over (its response sent): count it and log it before the context is reused.
        completed?.Invoke(context);
        context.Complete();
        context.Http.Uninitialize();
    }
}
