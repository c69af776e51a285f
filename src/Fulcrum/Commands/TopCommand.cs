using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Fulcrum.Admin.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Fulcrum.Commands;

/// <summary>
/// `fulcrum top`: the dashboard's essentials in a terminal, for an operator on a server over SSH. Polls the
/// admin API's /api/stats and redraws a table of pools and backends (state, active, req/s, p50/p99) and listeners.
/// </summary>
public static class TopCommand
{
    public static Command Create()
    {
        var admin = new Option<Uri>("--admin")
        {
            Description = "The admin API's URL.",
            DefaultValueFactory = _ => new Uri("http://127.0.0.1:9900/"),
            CustomParser = ParseAdmin,
        };
        var token = new Option<string?>("--token") { Description = "The admin token (admin.token), when one is set. Also read from FULCRUM_ADMIN_TOKEN." };
        var interval = new Option<TimeSpan>("--interval")
        {
            Description = "Time between refreshes, like 1s or 500ms.",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(1),
            CustomParser = CommonOptions.ParseDuration,
        };
        var count = new Option<int>("--count") { Description = "Stop after this many refreshes (0: until Ctrl+C)." };
        var command = new Command("top", "Show pools, backends and listeners of a running balancer, live, from its admin API.")
        {
            admin,
            token,
            interval,
            count,
        };
        command.SetAction((parsed, ct) => RunAsync(parsed.GetValue(admin)!,
            parsed.GetValue(token) ?? Environment.GetEnvironmentVariable("FULCRUM_ADMIN_TOKEN"),
            parsed.GetValue(interval), parsed.GetValue(count), ct));
        return command;
    }

    // System.CommandLine does not convert to Uri; a missing trailing slash would make "api/stats" replace the last segment.
    private static Uri ParseAdmin(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
        if (!text.Contains("://", StringComparison.Ordinal)) text = "http://" + text;
        if (Uri.TryCreate(text.TrimEnd('/') + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return uri;
        result.AddError($"'{text}' is not an admin URL; use e.g. http://127.0.0.1:9900");
        return new Uri("http://127.0.0.1:9900/");
    }

    public static async Task<int> RunAsync(Uri admin, string? token, TimeSpan interval, int count, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var http = new HttpClient { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(5) };
        if (!string.IsNullOrEmpty(token)) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var sampler = new TopSampler();
        var refreshes = 0;
        var exit = ExitCodes.Success;
        await AnsiConsole.Live(new Text("connecting to " + admin + " ...")).AutoClear(false).StartAsync(async live =>
        {
            while (!stop.IsCancellationRequested)
            {
                IRenderable frame;
                try
                {
                    var stats = await http.GetFromJsonAsync(new Uri("api/stats", UriKind.Relative), AdminJsonContext.Default.StatsView, stop.Token);
                    frame = TopScreen.Render(admin, stats!, sampler, DateTime.UtcNow);
                    exit = ExitCodes.Success;
                }
                catch (Exception e) when ((e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException) && !stop.IsCancellationRequested)
                {
                    frame = new Markup($"[red]cannot read {Markup.Escape(admin.ToString())}api/stats:[/] {Markup.Escape(e.Message)}");
                    exit = ExitCodes.RuntimeFailure;
                }

                live.UpdateTarget(frame);
                if (count > 0 && ++refreshes >= count) break;
                try
                {
                    await Task.Delay(interval, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
        return exit;
    }
}
