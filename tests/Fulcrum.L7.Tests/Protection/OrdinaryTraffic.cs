using System.Text;

namespace Fulcrum.L7.Tests.Protection;

/// <summary>
/// Requests an ordinary web application gets from browsers and API clients: pages with query strings, form posts,
/// JSON bodies, long cookies, the headers browsers send. What a WAF at paranoia 1 must let through untouched.
/// </summary>
internal static class OrdinaryTraffic
{
    private static readonly string[] Agents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "okhttp/4.12.0",
    ];

    private static readonly string[] Pages =
    [
        "/",
        "/products?page=3&sort=price_asc&category=shoes",
        "/search?q=blue+running+shoes&size=42&color=navy",
        "/search?q=what%27s+new+in+2024%3F",
        "/blog/2024/03/how-we-ship-faster",
        "/api/users/123/orders?status=shipped&limit=20&offset=40",
        "/static/app.3f9c2a.js",
        "/images/hero@2x.webp",
        "/account/settings?tab=notifications",
        "/checkout/step-2?coupon=SPRING-10",
        "/docs/getting-started#install",
        "/api/v2/search?filter=name%3Dsmith%2Ccity%3DBerlin&fields=id,name,email",
    ];

    private static readonly string[] Forms =
    [
        "name=Jane+Doe&email=jane%40example.com&message=Hello%2C+I+would+like+to+order+two+items+for+my+sister.&newsletter=on",
        "username=jdoe&password=correct+horse+battery+staple&remember=1",
        "address=221B+Baker+Street&city=London&zip=NW1+6XE&country=GB&phone=%2B44+20+7946+0958",
        "comment=Great+article%21+The+section+on+caching+was+really+helpful.+Thanks+%3A%29&rating=5",
        "q=coffee+grinder&min_price=20&max_price=150&in_stock=true",
    ];

    private static readonly string[] Json =
    [
        """{"user":{"id":42,"name":"Jane Doe","email":"jane@example.com"},"items":[{"sku":"A-100","qty":2},{"sku":"B-7","qty":1}],"note":"Please deliver after 5pm, thanks!"}""",
        """{"event":"page_view","path":"/products/42","referrer":"https://www.example.org/blog","ts":1714000000123,"screen":{"w":1920,"h":1080}}""",
        """{"title":"Quarterly report","tags":["finance","q1","2024"],"draft":false,"body":"Revenue grew 12% year over year, driven by the new subscription plans."}""",
        """{"query":"running shoes","page":2,"filters":{"brand":["acme","zoom"],"price":{"min":50,"max":120}}}""",
        """{"lat":52.5200,"lon":13.4050,"accuracy":12.5,"battery":0.83}""",
    ];

    /// <summary>The <paramref name="index"/>th request of a varied, repeatable mix.</summary>
    public static HttpRequestMessage Request(int index)
    {
        var kind = index % 4;
        HttpRequestMessage request;
        if (kind == 1)
        {
            request = new HttpRequestMessage(HttpMethod.Post, "/contact")
            {
                Content = new StringContent(Forms[index % Forms.Length], Encoding.UTF8, "application/x-www-form-urlencoded"),
            };
        }
        else if (kind == 2)
        {
            request = new HttpRequestMessage(index % 8 == 2 ? HttpMethod.Put : HttpMethod.Post, $"/api/items/{index}")
            {
                Content = new StringContent(Json[index % Json.Length], Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Authorization", "Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsImV4cCI6MTcxNDAwMDAwMH0.c2lnbmF0dXJlLXBhcnQ");
        }
        else
        {
            request = new HttpRequestMessage(HttpMethod.Get, Pages[index % Pages.Length]);
        }

        request.Headers.Host = "shop.example";
        request.Headers.Add("User-Agent", Agents[index % Agents.Length]);
        request.Headers.Add("Accept", kind == 2 ? "application/json" : "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8");
        request.Headers.Add("Accept-Language", "en-US,en;q=0.9,de;q=0.8");
        request.Headers.Add("Accept-Encoding", "gzip, deflate, br");
        request.Headers.Add("Referer", "https://shop.example/products?page=2");
        if (kind == 3) request.Headers.Add("Cookie", LongCookie(index));
        return request;
    }

    // About 3 KiB of cookies a real site sets: a signed session, analytics ids, a URL-encoded preferences blob.
    private static string LongCookie(int index)
    {
        var session = Convert.ToBase64String(Enumerable.Range(0, 1200).Select(i => (byte)((i * 31 + index) % 251)).ToArray());
        var prefs = Uri.EscapeDataString("""{"theme":"dark","lang":"en-GB","currency":"EUR","recent":[101,204,305,406]}""");
        return $"session={session}; _ga=GA1.2.{1000000 + index}.1714000000; _gid=GA1.2.987654321.1714000000; prefs={prefs}; "
            + $"cart=sku%3AA-100%7Cqty%3A2%2Csku%3AB-7%7Cqty%3A1; consent=analytics%3Dyes%26ads%3Dno; tz=Europe%2FBerlin";
    }
}
