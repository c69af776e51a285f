namespace Fulcrum.Samples.SessionDemo;

/// <summary>session-demo --name NAME [--port PORT] [--redis HOST:PORT]: one instance of the stateful demo app.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        string name = "app", redis = "";
        var port = 0;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--name": name = args[i + 1]; break;
                case "--port": port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--redis": redis = args[i + 1]; break;
                default:
                    Console.Error.WriteLine("usage: session-demo --name NAME [--port PORT] [--redis HOST:PORT]");
                    return 2;
            }
        }

        ISessionStore store = redis.Length == 0 ? new MemorySessionStore() : await RedisSessionStore.ConnectAsync(redis);
        await using var app = await SessionDemoApp.StartAsync(name, store, port);
        Console.WriteLine($"session-demo {name} on http://{app.Address} (sessions in {(redis.Length == 0 ? "memory" : "redis " + redis)})");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        await stop.Task;
        return 0;
    }
}
