using System.Globalization;
using Fulcrum.Admin.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Fulcrum.Commands;

/// <summary>One frame of `fulcrum top`: a header, the backends of every pool, the listeners.</summary>
internal static class TopScreen
{
    public static IRenderable Render(Uri admin, StatsView stats, TopSampler sampler, DateTime now)
    {
        var backends = new Table().Border(TableBorder.Rounded).Expand();
        foreach (var column in new[] { "pool", "backend", "state", "health", "weight", "active", "req/s", "p50", "p99", "failures" })
        {
            var c = new TableColumn($"[bold]{column}[/]");
            if (column is "weight" or "active" or "req/s" or "p50" or "p99" or "failures") c.RightAligned();
            backends.AddColumn(c);
        }

        foreach (var pool in stats.Pools)
        {
            var poolLabel = Markup.Escape(pool.Name) + (pool.Panic ? " [red]panic[/]" : "");
            foreach (var b in pool.Backends)
            {
                var (perSecond, p50, p99) = sampler.Backend(pool.Name, b, now);
                backends.AddRow(
                    poolLabel,
                    Markup.Escape(b.Id),
                    $"[{StateColor(b.State)}]{b.State}[/]",
                    b.Health == "up" ? "up" : "[red]down[/]",
                    b.Weight == b.EffectiveWeight ? Number(b.Weight) : $"{Number(b.Weight)} ({Number(b.EffectiveWeight)})",
                    Number(b.Active),
                    Rate(perSecond),
                    Ms(p50),
                    Ms(p99),
                    Number(b.Failures));
                poolLabel = "";
            }
        }

        var listeners = new Table().Border(TableBorder.Simple).Expand();
        foreach (var column in new[] { "listener", "protocol", "bind", "open conns", "req/s", "requests" })
        {
            var c = new TableColumn($"[bold]{column}[/]");
            if (column is "open conns" or "req/s" or "requests") c.RightAligned();
            listeners.AddColumn(c);
        }

        foreach (var l in stats.Listeners)
        {
            listeners.AddRow(Markup.Escape(l.Name), l.Protocol, Markup.Escape(l.Bind), Number(l.ConnectionsActive), Rate(sampler.Listener(l, now)), Number(l.Requests));
        }

        var header = new Markup(
            $"[bold]fulcrum top[/]  {Markup.Escape(admin.ToString())}  generation {stats.Generation}  up {TimeSpan.FromSeconds((long)stats.UptimeSeconds)}  [grey]{now:HH:mm:ss} UTC  Ctrl+C quits[/]");
        return new Rows(header, backends, listeners);
    }

    private static string StateColor(string state) => state switch
    {
        "up" => "green",
        "down" => "red",
        "draining" => "yellow",
        "maintenance" => "blue",
        _ => "purple",
    };

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Rate(double perSecond) => perSecond < 10
        ? perSecond.ToString("0.0", CultureInfo.InvariantCulture)
        : Math.Round(perSecond).ToString(CultureInfo.InvariantCulture);

    private static string Ms(double seconds) => double.IsNaN(seconds)
        ? "-"
        : (seconds * 1000).ToString(seconds < 0.001 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";
}
