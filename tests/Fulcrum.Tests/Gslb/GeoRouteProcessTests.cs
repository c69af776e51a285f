using System.Net;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Gslb;

/// <summary>
/// `match: { geo: ... }` on `fulcrum run`: the client address a trusted proxy forwards (every test client is on
/// loopback) is placed by the same MaxMind DB the dns listeners read; a missing or broken database is a config error.
/// </summary>
public sealed class GeoRouteProcessTests
{
    [Fact]
    public async Task AGeoRoute_IsChosen_ByTheForwardedClientAddress()
    {
        await using var backends = await Backends.StartAsync(2);
        using var file = new ConfigFile($$"""
            geo:
              database: geo.mmdb
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                trusted-proxies: [ 127.0.0.1/32 ]
                routes:
                  - match: { geo: { country: [ DE, FR ] } }
                    pool: eu
                  - pool: rest
            pools:
              - name: eu
                backends: [ { address: {{backends[0].Address}} } ]
              - name: rest
                backends: [ { address: {{backends[1].Address}} } ]

            """);
        GeoDatabaseFile.Write(Path.Combine(file.Directory, "geo.mmdb"), ("198.51.100.0/24", "DE", "EU"), ("203.0.113.0/24", "US", "NA"));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();
        using var client = TestHttp.CreateClient();

        Assert.Equal("b1", await BodyFromAsync(client, url, "198.51.100.7"));
        Assert.Equal("b2", await BodyFromAsync(client, url, "203.0.113.9"));
        Assert.Equal("b2", await BodyFromAsync(client, url, null));
        // The last hop a trusted proxy appended is the client: an address the client itself wrote before it is not.
        Assert.Equal("b2", await BodyFromAsync(client, url, "198.51.100.7, 203.0.113.9"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AMissingOrBrokenDatabase_IsAConfigErrorAtItsPlace(bool broken)
    {
        using var file = new ConfigFile("geo:\n  database: geo.mmdb\n");
        if (broken) await File.WriteAllBytesAsync(Path.Combine(file.Directory, "geo.mmdb"), [.. Enumerable.Range(0, 4096).Select(static i => (byte)(i * 7))]);

        var (code, process) = await FulcrumProcess.RunToEndAsync("validate", "-c", file.Path);
        await using var _ = process;

        Assert.True(code == 2, process.Output);
        var error = Assert.Single(process.StderrLines, l => l.Length > 0);
        Assert.StartsWith($"{file.Path}:2:13: geo.database 'geo.mmdb'", error, StringComparison.Ordinal);
        if (!broken) Assert.Contains("no such file", error, StringComparison.Ordinal);
    }

    private static async Task<string> BodyFromAsync(HttpClient client, Uri url, string? forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsStringAsync()).Trim();
    }
}
