using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

/// <summary>A route's `auth` and the `allow`/`deny` lists: every key lands in its field, and mistakes are named at their place.</summary>
public sealed class AuthParserTests
{
    private static ConfigLoadResult Load(string routeKeys, string listenerKeys = "") => ConfigLoader.LoadText($$"""
        listeners:
          - name: web
            bind: 127.0.0.1:8080
            routes:
              - pool: app
        {{routeKeys}}
        {{listenerKeys}}
        pools:
          - name: app
            backends: [ { address: 127.0.0.1:9001 } ]
        """, "f.yaml");

    [Fact]
    public void EveryJwtKey_LandsInItsField()
    {
        var result = Load("""
                    auth:
                      jwt:
                        issuer: [ https://id.example, https://id2.example ]
                        audience: api
                        jwks: https://id.example/.well-known/jwks.json
                        algorithms: [ RS256, ES256 ]
                        clock-skew: 30s
                        jwks-refresh: 10m
                        jwks-timeout: 2s
                        token: cookie:session
                        require: { scope: admin, role: [ ops, sre ], email: "*" }
                        forward-claims: { sub: X-User, email: X-Email }
                        forward-token: false
                        realm: api
                    rate-limit: { key: jwt:sub, rate: 10/s }
            """);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var route = result.Config!.Listeners[0].Routes[0];
        var jwt = route.Auth!.Jwt!;
        Assert.Equal(["https://id.example", "https://id2.example"], jwt.Issuers.ToArray());
        Assert.Equal(["api"], jwt.Audiences.ToArray());
        Assert.True(jwt.JwksIsUrl);
        Assert.Equal(["RS256", "ES256"], jwt.Algorithms.ToArray());
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(2)), (jwt.ClockSkew, jwt.JwksRefresh, jwt.JwksTimeout));
        Assert.Equal((JwtTokenSource.Cookie, "session"), (jwt.Token, jwt.TokenName));
        Assert.Equal(["scope=admin", "role=ops|sre", "email="], jwt.Require.Select(r => $"{r.Claim}={string.Join('|', r.Values)}"));
        Assert.Equal([new("sub", "X-User"), new("email", "X-Email")], jwt.ForwardClaims.ToArray());
        Assert.False(jwt.ForwardToken);
        Assert.Equal("api", jwt.Realm);
        Assert.Equal((RateLimitKeySource.Jwt, "sub"), (route.RateLimits[0].Key, route.RateLimits[0].KeyName));
    }

    [Fact]
    public void BasicForwardAndAccessLists_LandInTheirFields()
    {
        var result = Load("""
                    auth:
                      basic: { htpasswd: users.htpasswd, realm: staff, user-header: X-Remote-User }
                      forward: { url: "http://127.0.0.1:9000/check", copy-headers: [ X-User ], request-headers: [ Cookie ], timeout: 2s }
                    allow: [ 10.0.0.0/8, 192.168.1.5 ]
                    deny: 10.1.0.0/16
            """, """
                allow: [ 127.0.0.0/8 ]
                deny: [ 127.0.0.9/32 ]
            """);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var listener = result.Config!.Listeners[0];
        var route = listener.Routes[0];
        Assert.Equal(("users.htpasswd", "staff", "X-Remote-User"), (route.Auth!.Basic!.Htpasswd, route.Auth.Basic.Realm, route.Auth.Basic.UserHeader));
        var forward = route.Auth.Forward!;
        Assert.Equal(("http://127.0.0.1:9000/check", "X-User", "Cookie", TimeSpan.FromSeconds(2)),
            (forward.Url, forward.CopyHeaders.Single(), forward.RequestHeaders.Single(), forward.Timeout));
        Assert.Equal(["10.0.0.0/8", "192.168.1.5/32"], route.Allow.ToArray());
        Assert.Equal(["10.1.0.0/16"], route.Deny.ToArray());
        Assert.Equal(["127.0.0.0/8"], listener.Allow.ToArray());
        Assert.Equal(["127.0.0.9/32"], listener.Deny.ToArray());
    }

    [Theory]
    [InlineData("        auth: { jwt: { issuer: a, jwks: k.json, algorithms: [ none ] } }", "f.yaml:6:63: algorithm 'none' means an unsigned token")]
    [InlineData("        auth: { jwt: { issuer: a, jwks: k.json, algorithms: RS265 } }", "f.yaml:6:61: unknown algorithm 'RS265'; did you mean 'RS256'?")]
    [InlineData("        auth: { jwt: { jwks: k.json } }", "f.yaml:6:22: auth.jwt is missing required key 'issuer'")]
    [InlineData("        auth: { jwt: { issuer: a, jwks: k.json, token: bearer:x } }", "f.yaml:6:56: 'token' must be bearer, header:NAME, cookie:NAME or query:NAME")]
    [InlineData("        auth: { basic: { htpasswd: f, realm: 'a\"b' } }", "f.yaml:6:46: 'realm' must be printable ASCII")]
    [InlineData("        auth: { forward: { url: /check } }", "f.yaml:6:33: 'url' must be an absolute http or https URL")]
    [InlineData("        auth: { forward: { url: 'http://a/', copy-headers: [ 'X User' ] } }", "f.yaml:6:62: 'X User' in 'copy-headers' is not a header name")]
    [InlineData("        auth: { jwt: { issuer: a, jwks: k.json, forward-claims: { sub: 'X:User' } } }", "f.yaml:6:65: claim 'sub' is forwarded as 'X:User'")]
    [InlineData("        auth: { }", "f.yaml:6:15: 'auth' needs one of 'jwt', 'basic' or 'forward'")]
    [InlineData("        deny: [ 10.0.0.0/33 ]", "f.yaml:6:17: deny '10.0.0.0/33' must be a CIDR block")]
    public void Mistakes_AreNamedAtTheirPlace(string routeKeys, string error)
    {
        var result = Load(routeKeys);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.ToString().StartsWith(error, StringComparison.Ordinal));
    }

    [Fact]
    public void AllowOnATcpListener_IsRefused()
    {
        var result = ConfigLoader.LoadText("""
            listeners:
              - name: db
                bind: 127.0.0.1:5432
                protocol: tcp
                pool: app
                allow: [ 10.0.0.0/8 ]
            pools:
              - name: app
                backends: [ { address: 127.0.0.1:9001 } ]
            """, "f.yaml");
        Assert.Contains(result.Errors, e => e.ToString().StartsWith("f.yaml:6:5: 'allow' is for http and https listeners", StringComparison.Ordinal));
    }
}
