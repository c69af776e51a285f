using System.Diagnostics;
using System.Net;

namespace Fulcrum.Tests.Infrastructure;

/// <summary>An HttpClient for talking to the balancer, and a poll for "the balancer now answers X".</summary>
public static class TestHttp
{
    public static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, Uri url)
    {
        using var response = await client.GetAsync(url);
        return (response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim());
    }

    /// <summary>Requests until the body is <paramref name="expected"/>; fails after the deadline with the last answer.</summary>
    public static async Task WaitForBodyAsync(HttpClient client, Uri url, string expected, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var last = "";
        while (deadline.Elapsed < (timeout ?? FulcrumProcess.DefaultTimeout))
        {
            try
            {
                var (status, body) = await GetAsync(client, url);
                last = $"{(int)status} {body}";
                if (status == HttpStatusCode.OK && body == expected) return;
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"{url} never answered '{expected}'; last answer: {last}");
    }
}
