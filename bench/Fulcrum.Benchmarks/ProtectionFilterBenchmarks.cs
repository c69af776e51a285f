using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Core.Observability;
using Fulcrum.L7.Auth;
using Fulcrum.L7.Filters;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Fulcrum.Benchmarks;

/// <summary>
/// What one protection filter costs a request by itself, without the network (bench/protection/run.sh measures the
/// whole process): a rate limit that lets the request through, JWT validation of a token the route has seen before
/// (the lookup and lifetime check), and of one it must verify in full (RS256 with a 2048-bit key).
/// </summary>
[MemoryDiagnoser]
public class ProtectionFilterBenchmarks
{
    private readonly BenchExchange _exchange = new();
    private IHttpFilter _filter = null!;
    private string _authorization = "";
    private JwksSource? _source;

    [Params("rate-limit", "jwt-repeated", "jwt-verify")]
    public string Protection { get; set; } = "rate-limit";

    [GlobalSetup]
    public void Setup()
    {
        var stats = new ProtectionStats();
        if (Protection == "rate-limit")
        {
            var limit = new RateLimitConfig { Rate = 1e9, Burst = 1_000_000_000, NoDelay = true };
            _filter = new RateLimitFilter(new RateLimitBuckets(limit, TimeProvider.System), TimeProvider.System, RateLimitFilter.CountersFor(stats, "bench", "r"));
            return;
        }

        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "bench" };
        var jwks = Path.GetTempFileName();
        var p = key.Rsa.ExportParameters(false);
        File.WriteAllText(jwks, $$"""{"keys":[{"kty":"RSA","kid":"bench","n":"{{Base64UrlEncoder.Encode(p.Modulus)}}","e":"{{Base64UrlEncoder.Encode(p.Exponent)}}"}]}""");
        var config = new JwtAuthConfig { Issuers = ["https://id.example"], Audiences = ["api"], Jwks = jwks };
        _source = new JwksSource(jwks, isUrl: false, config.JwksRefresh, config.JwksTimeout, new HttpClient(), TimeProvider.System, Random.Shared, NullLogger.Instance);
        while (_source.Keys is null) Thread.Sleep(10);
        var remembered = Protection == "jwt-repeated" ? new ValidatedTokens() : new ValidatedTokens(capacity: 0);
        _filter = new JwtFilter(config, _source, TimeProvider.System, new JwtVerdicts(stats, "bench", "r", null), remembered);
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://id.example",
            Audience = "api",
            Expires = DateTime.UtcNow.AddDays(1),
            Claims = new Dictionary<string, object> { ["sub"] = "bench" },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
        _authorization = "Bearer " + token;
    }

    [GlobalCleanup]
    public void Cleanup() => _source?.Dispose();

    /// <summary>The exchange's per-request reset and the header alone, to subtract from <see cref="OneRequest"/>.</summary>
    [Benchmark(Baseline = true)]
    public void ResetOnly()
    {
        _exchange.Begin();
        _exchange.Backend = Backend;
        _exchange.RequestHeaders.Authorization = _authorization;
    }

    [Benchmark]
    public int OneRequest()
    {
        var exchange = _exchange;
        exchange.Begin();
        exchange.Backend = Backend;
        exchange.RequestHeaders.Authorization = _authorization;
        var result = _filter.OnRequestHeadAsync(exchange).AsTask().Result;
        if (exchange.Status != 200) throw new InvalidOperationException($"refused: {exchange.Record.Protection}");
        return (int)result;
    }

    private static readonly Backend Backend = new("b1", "127.0.0.1:9001", 1);
}
