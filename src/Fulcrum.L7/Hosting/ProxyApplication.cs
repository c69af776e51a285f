using Fulcrum.L7.Observability;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Fulcrum.L7.Hosting;

/// <summary>
/// The whole "application" Kestrel runs for a listener: one terminal request delegate, no middleware
/// pipeline, no endpoint routing. Reuses one context per connection the way ASP.NET's own hosting
/// layer does (Kestrel offers the slot through IHostContextContainer): the HttpContext and the
/// <see cref="RequestRecord"/> the access log reads, so a request allocates neither.
/// </summary>
internal sealed class ProxyApplication(RequestDelegate handler, Action<HttpContext, RequestRecord>? completed = null) : IHttpApplication<ProxyRequest>
{
    public ProxyRequest CreateContext(IFeatureCollection contextFeatures)
    {
        ProxyRequest request;
        if (contextFeatures is IHostContextContainer<ProxyRequest> container)
        {
            if (container.HostContext is { } reused)
            {
                reused.Http.Initialize(contextFeatures);
                request = reused;
            }
            else
            {
                request = new ProxyRequest(new DefaultHttpContext(contextFeatures));
                container.HostContext = request;
            }
        }
        else
        {
            request = new ProxyRequest(new DefaultHttpContext(contextFeatures));
        }

        // Kestrel clears its extra features between requests but keeps their list, so this does not allocate.
        contextFeatures.Set(request.Record);
        return request;
    }

    public Task ProcessRequestAsync(ProxyRequest context) => handler(context.Http);

    public void DisposeContext(ProxyRequest context, Exception? exception)
    {
        // The request is over (its response sent): count it and log it before the context is reused.
        completed?.Invoke(context.Http, context.Record);
        context.Http.Uninitialize();
    }
}
