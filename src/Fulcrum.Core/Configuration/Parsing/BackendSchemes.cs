namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// Turns the schemes written on a pool's backend addresses into the pool's one answer, <see cref="PoolConfig.Tls"/>.
/// Every backend of a pool uses one scheme, because the pool owns one HTTP client and one health checker:
/// https:// everywhere re-encrypts (with the pool's `tls:` settings, or the defaults without a block), http://
/// everywhere is plain, a bare host:port follows the pool (TLS when it has a `tls:` block). Mixing is an error.
/// </summary>
internal static class BackendSchemes
{
    public static PoolConfig Apply(PoolConfig pool, bool hasTlsBlock, ParseContext context)
    {
        BackendConfig? https = null, http = null, bare = null;
        foreach (var backend in pool.Backends)
        {
            if (backend.Address.Length == 0) continue;
            switch (backend.Scheme)
            {
                case BackendScheme.Https: https ??= backend; break;
                case BackendScheme.Http: http ??= backend; break;
                default: bare ??= backend; break;
            }
        }

        if (https is not null && http is not null)
        {
            Mixed(pool, Later(https, http), Earlier(https, http), context);
            return pool;
        }

        if (http is not null && hasTlsBlock)
        {
            context.Error(http.Location,
                $"backend '{Written(http)}' says http://, but pool '{pool.Name}' has a tls: block (re-encryption to every backend); all backends of a pool use one scheme");
            return pool;
        }

        if (https is null) return pool;
        foreach (var backend in pool.Backends)
        {
            if (backend.Scheme != BackendScheme.None || backend.Address.Length == 0) continue;
            if (!hasTlsBlock) Mixed(pool, backend, https, context);
        }

        // A tcp or udp listener cannot speak https to a backend: checked with the other http-only pool keys.
        context.Facts.PoolKeys.Add(new PoolKeyFact(pool.Name, "address", Written(https), PoolKeyFact.Http, https.Location));
        return hasTlsBlock ? pool : pool with { Tls = new PoolTlsConfig { Location = https.Location } };
    }

    private static void Mixed(PoolConfig pool, BackendConfig odd, BackendConfig first, ParseContext context)
    {
        var plain = odd.Scheme == BackendScheme.None ? " (plain http: the pool has no tls: block)" : "";
        context.Error(odd.Location,
            $"backend '{Written(odd)}'{plain} and '{Written(first)}' (line {first.Location.Line}) use different schemes; " +
            $"all backends of pool '{pool.Name}' use one scheme: write https:// on each to re-encrypt, or http:// (or none) on each for plain http");
    }

    private static string Written(BackendConfig backend) => backend.Scheme switch
    {
        BackendScheme.Https => "https://" + backend.Address,
        BackendScheme.Http => "http://" + backend.Address,
        _ => backend.Address,
    };

    private static BackendConfig Earlier(BackendConfig a, BackendConfig b) => a.Location.Line <= b.Location.Line ? a : b;
    private static BackendConfig Later(BackendConfig a, BackendConfig b) => a.Location.Line <= b.Location.Line ? b : a;
}
