namespace Fulcrum.Bench.YarpHost;

/// <summary>
/// Kestrel alone, answering every request with 200 and the same tiny body the nginx backends
/// send: the upper bound for anything hosted on this Kestrel setup on one CPU.
/// </summary>
internal static class EmptyServer
{
    private static readonly byte[] Body = "ok\n"u8.ToArray();

    public static int Run(string[] args)
    {
        var builder = Program.CreateBuilder(args);
        Program.WithoutLogging(builder);
        Program.WithSocketOptions(builder);
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = Body.Length;
            return context.Response.Body.WriteAsync(Body, 0, Body.Length);
        });
        app.Run();
        return 0;
    }
}
