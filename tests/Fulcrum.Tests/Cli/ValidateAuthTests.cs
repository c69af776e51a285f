using System.Diagnostics;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Cli;

/// <summary>`fulcrum validate` reads the files `auth` names, relative to the config's folder, and points at the key naming a bad one.</summary>
public sealed class ValidateAuthTests
{
    private static string Config(string htpasswd, string jwks) => $"""
        listeners:
          - name: web
            bind: 127.0.0.1:0
            protocol: http
            allow: [ 127.0.0.0/8 ]
            routes:
              - match: {"{"} path-prefix: /admin/ {"}"}
                pool: app
                auth:
                  basic: {"{"} htpasswd: {htpasswd}, realm: staff {"}"}
              - pool: app
                auth:
                  jwt: {"{"} issuer: https://id.example, audience: api, jwks: {jwks} {"}"}
                rate-limit: {"{"} key: jwt:sub, rate: 10/s {"}"}
        pools:
          - name: app
            backends: [ {"{"} address: 127.0.0.1:9 {"}"} ]
        """;

    private static string Htpasswd(string flag, string user, string password)
    {
        using var process = Process.Start(new ProcessStartInfo("htpasswd", ["-nb" + flag, user, password]) { RedirectStandardOutput = true })!;
        var line = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return line;
    }

    private const string Jwks = """{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","e":"AQAB","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}]}""";

    [Fact]
    public async Task GoodFiles_Validate()
    {
        using var file = new ConfigFile(Config("users.htpasswd", "keys/jwks.json"));
        File.WriteAllText(Path.Combine(file.Directory, "users.htpasswd"), Htpasswd("B", "alice", "secret") + "\n");
        Directory.CreateDirectory(Path.Combine(file.Directory, "keys"));
        File.WriteAllText(Path.Combine(file.Directory, "keys/jwks.json"), Jwks);

        var (code, process) = await FulcrumProcess.RunToEndAsync("validate", "-c", file.Path);
        await using var _ = process;
        Assert.True(code == 0, process.Output);
    }

    [Fact]
    public async Task AnHtpasswdLineThatIsNotBcrypt_AndAJwksThatIsNoKeySet_ExitTwo_AtTheKeysNamingThem()
    {
        using var file = new ConfigFile(Config("users.htpasswd", "jwks.json"));
        File.WriteAllText(Path.Combine(file.Directory, "users.htpasswd"), Htpasswd("B", "alice", "secret") + "\n" + Htpasswd("m", "bob", "secret") + "\n");
        File.WriteAllText(Path.Combine(file.Directory, "jwks.json"), """{"keys": "none"}""");

        var (code, process) = await FulcrumProcess.RunToEndAsync("validate", "-c", file.Path);
        await using var _ = process;

        Assert.True(code == 2, process.Output);
        Assert.Contains(process.StderrLines, l => l.StartsWith($"{file.Path}:10:", StringComparison.Ordinal)
            && l.Contains("line 2: the hash of user 'bob' is not bcrypt; make it with htpasswd -B", StringComparison.Ordinal));
        Assert.Contains(process.StderrLines, l => l.StartsWith($"{file.Path}:13:", StringComparison.Ordinal) && l.Contains("JWKS file", StringComparison.Ordinal));
    }
}
