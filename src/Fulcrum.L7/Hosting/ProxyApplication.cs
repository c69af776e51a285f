using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Fulcrum.L7.Hosting;

/// <summary>
/// The whole "application" Kestrel runs for a listener: one terminal request delegate, no middleware
/// pipeline, no endpoint routing. Reuses one HttpContext per connection the way ASP.NET's own hosting
/// layer does (Kestrel offers the slot through IHostContextContainer).
/// </summary>
internal sealed class ProxyApplication(RequestDelegate handler) : IHttpApplication<HttpContext>
{
    public HttpContext CreateContext(IFeatureCollection contextFeatures)
    {
        if (contextFeatures is IHostContextContainer<HttpContext> container)
        {
            if (container.HostContext is DefaultHttpContext reused)
            {
                reused.Initialize(contextFeatures);
                return reused;
            }

            var created = new DefaultHttpContext(contextFeatures);
            container.HostContext = created;
            return created;
        }

        return new DefaultHttpContext(contextFeatures);
    }

    public Task ProcessRequestAsync(HttpContext context) => handler(context);

    public void DisposeContext(HttpContext context, Exception? exception)
    {
        if (context is DefaultHttpContext d) d.Uninitialize();
    }
}
