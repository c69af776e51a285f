using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

/// <summary>`compress`, `static`, `transforms.rewrite` and values with variables: read as written, wrong ones pointed at.</summary>
public sealed class EdgeRouteKeysTests
{
    private static string Route(string route) => $$"""
        listeners:
          - name: web
            bind: 127.0.0.1:0
            routes:
              - {{route}}
        pools: [ { name: app, backends: [ { address: 127.0.0.1:9001 } ] } ]
        """;

    [Fact]
    public void Compress_ReadsEncodingsTypesSizeAndLevels_WithDefaultsForTheRest()
    {
        var config = ConfigAssert.Valid(Route("{ pool: app, compress: { encodings: [ br, gzip ], types: [ text/*, application/*+json ], min-size: 2KiB, gzip-level: 1 } }"));
        var compress = config.Listeners[0].Routes[0].Compress!;

        Assert.Equal([ContentCoding.Brotli, ContentCoding.Gzip], compress.Encodings.ToArray());
        Assert.Equal(["text/*", "application/*+json"], compress.Types.ToArray());
        Assert.Equal(2048, compress.MinSize);
        Assert.Equal(1, compress.GzipLevel);
        Assert.Equal(4, compress.BrotliLevel);
        Assert.Equal(3, compress.ZstdLevel);
        Assert.Equal([ContentCoding.Zstd, ContentCoding.Brotli, ContentCoding.Gzip],
            ConfigAssert.Valid(Route("{ pool: app, compress: {} }")).Listeners[0].Routes[0].Compress!.Encodings.ToArray());
    }

    [Theory]
    [InlineData("{ pool: app, compress: { encodings: [ br, deflate ] } }", 5, 51, "unknown encoding 'deflate'")]
    [InlineData("{ pool: app, compress: { types: [ text ] } }", 5, 43, "'types' takes media types like text/html, text/* or application/*+json, not 'text'")]
    [InlineData("{ pool: app, compress: { br-level: 12 } }", 5, 44, "'br-level' must be from 0 to 11")]
    public void Compress_WrongValues_AreErrorsAtTheValue(string route, int line, int column, string message)
    {
        var errors = ConfigAssert.Errors(Route(route));
        Assert.Contains(errors, e => e.StartsWith($"fulcrum.yaml:{line}:{column}: {message}", StringComparison.Ordinal));
    }

    [Fact]
    public void Static_IsAnAction_WithItsRootResolvedAgainstTheConfigFile()
    {
        var config = ConfigLoader.LoadText(Route("{ static: { root: public, index: home.html, cache-control: max-age=60 } }"), "/etc/fulcrum/fulcrum.yaml");
        Assert.True(config.IsValid, string.Join("\n", config.Errors));
        var files = config.Config!.Listeners[0].Routes[0].Static!;

        Assert.Equal("/etc/fulcrum/public", files.Root);
        Assert.Equal("home.html", files.Index);
        Assert.Equal("max-age=60", files.CacheControl);
        Assert.True(files.Precompressed);
        Assert.Equal("/srv/www", ConfigAssert.Valid(Route("{ static: /srv/www }")).Listeners[0].Routes[0].Static!.Root);
    }

    [Fact]
    public void Static_WithAPool_IsTwoActions_AndAnIndexPath_IsRefused()
    {
        Assert.Contains(ConfigAssert.Errors(Route("{ pool: app, static: /srv/www }")), e => e.Contains("route has more than one action ('pool' and 'static')"));
        Assert.Contains(ConfigAssert.Errors(Route("{ static: { root: /srv, index: ../etc/passwd } }")), e => e.Contains("static 'index' must be a file name"));
    }

    [Fact]
    public void VariablesAndCaptures_AreReadInHeadersRedirectsAndRewrites()
    {
        var config = ConfigAssert.Valid("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes:
                  - match: { path-regex: "^/old/(?<id>[0-9]+)$" }
                    redirect: { to: "https://${host}/new/${id}?from=${1}", status: 301 }
                  - match: { path-regex: "^/u/([0-9]+)$" }
                    pool: app
                    transforms:
                      rewrite: { regex: "^/u/(?<user>[0-9]+)$", to: "/users/${user}" }
                      request-headers: { set: { X-Client: "${client_ip}:${client_port}", X-User: "${1}", X-Price: "$5 and $${literal}" } }
                      response-headers: { add: { X-Request: "${request_id} ${scheme} ${method}" } }
            pools: [ { name: app, backends: [ { address: 127.0.0.1:9001 } ] } ]
            """);
        var routes = config.Listeners[0].Routes;

        Assert.Equal("https://${host}/new/${id}?from=${1}", routes[0].Redirect!.To);
        Assert.True(routes[0].Redirect!.ToTemplate!.HasVariables);
        Assert.Equal("^/u/(?<user>[0-9]+)$", routes[1].Transforms.Rewrite!.Regex);
        Assert.Equal(["/users/", "user"], routes[1].Transforms.Rewrite!.To.Parts.Select(p => p.Value));
        Assert.Equal([TemplatePartKind.Literal], ValueTemplate.Parse("$5 and $${literal}", out _)!.Parts.Select(p => p.Kind));
        Assert.Equal("$5 and ${literal}", ValueTemplate.Parse("$5 and $${literal}", out _)!.Parts[0].Value);
    }

    [Theory]
    [InlineData("{ pool: app, transforms: { request-headers: { set: { X-A: \"${clientip}\" } } } }", 5, 67, "unknown variable '${clientip}'")]
    [InlineData("{ pool: app, transforms: { response-headers: { add: { X-A: \"${1}\" } } } }", 5, 68, "'${1}' is a regex capture, but the route has no path-regex to capture it")]
    [InlineData("{ match: { path-regex: \"^/a/(x)$\" }, redirect: { to: \"/b/${2}\" } }", 5, 62, "'${2}' names no capture group of the route's path-regex '^/a/(x)$'")]
    [InlineData("{ match: { path-regex: \"^/a/(?<id>x)$\" }, redirect: { to: \"/b/${ids}\" } }", 5, 67, "'${ids}' names no capture group of the route's path-regex")]
    [InlineData("{ pool: app, transforms: { rewrite: { regex: \"^/a/(x)$\", to: \"/b/${2}\" } } }", 5, 70, "'${2}' names no capture group of the rewrite's regex")]
    [InlineData("{ pool: app, transforms: { rewrite: { regex: \"^/a$\", to: \"b\" } } }", 5, 66, "rewrite 'to' must be a path starting with /")]
    [InlineData("{ pool: app, transforms: { request-headers: { set: { X-A: \"${host\" } } } }", 5, 67, "'${' at column 1 of '${host' is not closed")]
    [InlineData("{ redirect: { to: \"ftp://${host}/\" } }", 5, 27, "redirect 'to' must be an absolute URL")]
    public void UnknownVariablesAndCaptures_AreErrorsAtTheValue(string route, int line, int column, string message)
    {
        var errors = ConfigAssert.Errors(Route(route));
        Assert.True(errors.Any(e => e.StartsWith($"fulcrum.yaml:{line}:{column}: {message}", StringComparison.Ordinal)),
            $"expected {line}:{column}: {message}\ngot:\n{string.Join("\n", errors)}");
    }
}
