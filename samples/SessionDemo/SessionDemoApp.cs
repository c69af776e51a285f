using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Samples.SessionDemo;

/// <summary>
/// A small stateful web app, the kind that needs sticky sessions: POST /login?user=NAME starts a session
/// (cookie SESSION), GET /whoami says who you are (401 "logged out" when this instance does not know the
/// session). Every answer carries X-Backend so you can see which instance served it.
/// </summary>
public sealed class SessionDemoApp : IAsyncDisposable
{
    public const string SessionCookie = "SESSION";

    private readonly WebApplication _app;

    private SessionDemoApp(WebApplication app, string name, int port)
    {
        _app = app;
        Name = name;
        Port = port;
    }

    public string Name { get; }
    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";

    public static async Task<SessionDemoApp> StartAsync(string name, ISessionStore store, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.Use((context, next) =>
        {
            context.Response.Headers["X-Backend"] = name;
            return next(context);
        });
        app.MapGet("/health", () => "ok");
        app.MapPost("/login", async (HttpContext context) =>
        {
            var user = context.Request.Query["user"].ToString();
            if (user.Length == 0) return Results.BadRequest("user missing");
            var session = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
            await store.SetAsync(session, user);
            context.Response.Cookies.Append(SessionCookie, session, new CookieOptions { HttpOnly = true, Path = "/" });
            return Results.Text($"logged in as {user} on {name}\n");
        });
        app.MapGet("/whoami", async (HttpContext context) =>
        {
            var session = context.Request.Cookies[SessionCookie];
            var user = session is null ? null : await store.GetAsync(session);
            return user is null
                ? Results.Text($"logged out (served by {name})\n", statusCode: 401)
                : Results.Text($"{user} (served by {name})\n");
        });
        app.MapPost("/logout", async (HttpContext context) =>
        {
            if (context.Request.Cookies[SessionCookie] is { } session) await store.RemoveAsync(session);
            context.Response.Cookies.Delete(SessionCookie);
            return Results.Text("logged out\n");
        });
        await app.StartAsync();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return new SessionDemoApp(app, name, bound);
    }

    /// <summary>Stops at once, as a crash would: open connections are cut, memory sessions are gone.</summary>
    public async ValueTask DisposeAsync()
    {
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        try
        {
            await _app.StopAsync(now.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync();
    }
}
