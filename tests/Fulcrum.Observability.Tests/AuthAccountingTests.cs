using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Fulcrum.Core.Configuration;
using Fulcrum.Observability.Tests.Support;

namespace Fulcrum.Observability.Tests;

/// <summary>Authentication and access lists show their decisions in the metric, `GET /api/protection` and the access log.</summary>
public sealed class AuthAccountingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fulcrum-auth-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ABasicAuthRefusal_AndADeniedAddress_AreCounted_Listed_AndNamedInTheAccessLog()
    {
        var log = Path.Combine(_dir, "access.log");
        var users = Path.Combine(_dir, "users.htpasswd");
        using (var htpasswd = Process.Start(new ProcessStartInfo("htpasswd", ["-cbB", "-C", "4", users, "alice", "secret"]))!)
            await htpasswd.WaitForExitAsync();
        await using var lb = await ObservedBalancer.StartAsync(1, c => c with
        {
            AccessLog = new AccessLogConfig { Path = log },
            Listeners =
            [
                c.Listeners[0] with
                {
                    Routes =
                    [
                        new RouteConfig { Name = "closed", Pool = "app", Match = new MatchConfig { PathPrefix = "/closed" }, Deny = ["127.0.0.0/8"] },
                        c.Listeners[0].Routes[0] with { Auth = new AuthConfig { Basic = new BasicAuthConfig { Htpasswd = users } } },
                    ],
                },
            ],
        });

        Assert.Equal(HttpStatusCode.Unauthorized, await lb.GetAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await lb.GetAsync("closed"));

        var metrics = await lb.MetricsAsync();
        Assert.Equal(1, PrometheusText.Value(metrics,
            "fulcrum_protection_decisions_total{listener=\"web\",route=\"all\",protection=\"auth\",decision=\"rejected\",reason=\"no-credentials\"}"));
        Assert.Equal(1, PrometheusText.Value(metrics,
            "fulcrum_protection_decisions_total{listener=\"web\",route=\"closed\",protection=\"access\",decision=\"rejected\",reason=\"denied-cidr\"}"));

        using var api = JsonDocument.Parse(await lb.Client.GetStringAsync(new Uri(lb.Admin, "api/protection")));
        var auth = api.RootElement.EnumerateArray().Single(e => e.GetProperty("protection").GetString() == "auth" && e.GetProperty("count").GetInt64() > 0);
        Assert.Equal(("rejected", "no-credentials"), (auth.GetProperty("decision").GetString(), auth.GetProperty("reason").GetString()));

        await Poll.UntilAsync(() => File.Exists(log) && File.ReadAllLines(log).Length == 2, "two access log lines");
        var fields = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("protection").GetString()).ToList();
        Assert.Equal(["auth:no-credentials", "access:denied-cidr"], fields);
    }
}
