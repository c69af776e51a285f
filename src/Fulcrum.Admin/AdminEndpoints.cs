using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Fulcrum.Admin.Json;
using Fulcrum.Admin.Metrics;
using Fulcrum.Core.Caching;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Health;
using Fulcrum.Core.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fulcrum.Admin;

/// <summary>Every route of the admin API (CONTRACT.md). Bad input is a 4xx with a JSON <see cref="ErrorView"/>.</summary>
internal sealed class AdminEndpoints
{
    private readonly TopologyStore _store;
    private readonly BackendOperations _operations;
    private readonly AdminOptions _options;

    public AdminEndpoints(TopologyStore store, AdminOptions options)
    {
        _store = store;
        _options = options;
        _operations = options.Operations ?? new BackendOperations(store);
    }

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Healthz);
        app.MapGet("/metrics", Metrics);
        app.MapGet("/api/stats", c => Write(c, StatsViews.Of(_store, _options), AdminJsonContext.Default.StatsView));
        app.MapGet("/", DashboardFiles.ServeAsync);
        app.MapGet("/dashboard", DashboardFiles.ServeAsync);
        app.MapGet("/dashboard/{file}", DashboardFiles.ServeAsync);
        app.MapGet("/api/pools", ListPools);
        app.MapGet("/api/pools/{pool}", GetPool);
        app.MapPost("/api/pools/{pool}/backends", AddBackend);
        app.MapDelete("/api/pools/{pool}/backends/{id}", c => Operate(c, StatusCodes.Status202Accepted, _operations.Remove));
        app.MapPost("/api/pools/{pool}/backends/{id}/drain", c => Operate(c, StatusCodes.Status200OK, _operations.Drain));
        app.MapPost("/api/pools/{pool}/backends/{id}/maintenance", c => Operate(c, StatusCodes.Status200OK, _operations.Maintenance));
        app.MapPost("/api/pools/{pool}/backends/{id}/ready", c => Operate(c, StatusCodes.Status200OK, _operations.Ready));
        app.MapPut("/api/pools/{pool}/backends/{id}/weight", SetWeight);
        app.MapPost("/api/reload", Reload);
        app.MapGet("/api/protection", ListProtection);
        app.MapGet("/api/cluster", c => Write(c, ClusterViews.Of(_options.Cluster), AdminJsonContext.Default.ClusterView));
        app.MapGet("/api/vrrp", Vrrp);
        app.MapGet("/api/cache", ListCaches);
        app.MapPost("/api/cache/purge", PurgeCache);
        app.MapFallback(c => WriteError(c, StatusCodes.Status404NotFound, $"no such endpoint: {c.Request.Method} {c.Request.Path}"));
    }

    // `?require=backends` adds the rule of the vrrp state file: a pool with backends but none up answers 503 too, so a
    // hook that moves traffic between nodes (fulcrum anycast, docs/gslb.md) moves it away from a node that cannot serve.
    private Task Healthz(HttpContext context)
    {
        var draining = _options.IsDraining?.Invoke() ?? false;
        var status = draining ? "draining" : "ok";
        if (!draining && context.Request.Query["require"] == "backends" && ServingCheck.PoolWithoutBackendUp(_store.Current) is { } pool)
        {
            status = $"no backend up in pool '{pool}'";
        }

        context.Response.StatusCode = status == "ok" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        return Write(context, new StatusView(status, _store.Current.Generation), AdminJsonContext.Default.StatusView);
    }

    private Task Vrrp(HttpContext context) =>
        _options.Vrrp?.Invoke() is { } view
            ? Write(context, view, AdminJsonContext.Default.VrrpView)
            : WriteError(context, StatusCodes.Status404NotFound, "no vrrp section in the running config");

    private Task Metrics(HttpContext context)
    {
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        return context.Response.WriteAsync(_options.Metrics?.Invoke() ?? MetricsText.Write(_store.Current));
    }

    private Task ListProtection(HttpContext context)
    {
        var views = _store.Protection.All.Select(static c => new ProtectionView(c.Listener, c.Route, c.Protection, c.Decision, c.Reason, c.Count)).ToList();
        return Write(context, views, AdminJsonContext.Default.ListProtectionView);
    }

    private Task ListCaches(HttpContext context)
    {
        var views = new List<CacheView>();
        foreach (var cache in _store.Caches.All)
        {
            var counters = cache.Counters;
            var requests = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var result in CacheResultNames.All) requests[CacheResultNames.Of(result)] = counters.Requests(result);
            views.Add(new CacheView(cache.Listener, cache.Route, cache.MaxBytes, cache.Bytes, cache.Entries, requests,
                counters.StoredTotal, counters.EvictedTotal, counters.PurgedTotal));
        }

        return Write(context, views, AdminJsonContext.Default.ListCacheView);
    }

    // {"key": ...} removes that key's variants; {"prefix": ...} every key starting with it; {} everything. A key is
    // `scheme://host/path?query` as the client asked it (docs/caching.md).
    private async Task PurgeCache(HttpContext context)
    {
        var (request, status, error) = await ReadAsync(context, AdminJsonContext.Default.CachePurgeRequest).ConfigureAwait(false);
        if (request is null)
        {
            await WriteError(context, status, error!).ConfigureAwait(false);
            return;
        }

        if (request.Key is not null && request.Prefix is not null)
        {
            await WriteError(context, StatusCodes.Status400BadRequest, "give \"key\" or \"prefix\", not both").ConfigureAwait(false);
            return;
        }

        if (request.Key is "" || request.Prefix is "")
        {
            await WriteError(context, StatusCodes.Status400BadRequest, "\"key\" and \"prefix\" must not be empty; send {} to purge everything").ConfigureAwait(false);
            return;
        }

        var caches = _store.Caches.All;
        if (caches.Count == 0 || (request.Listener is { } l && !caches.Any(c => c.Listener == l))
            || (request.Route is { } r && !caches.Any(c => c.Route == r && (request.Listener is null || c.Listener == request.Listener))))
        {
            await WriteError(context, StatusCodes.Status404NotFound, "no route with a cache matches").ConfigureAwait(false);
            return;
        }

        var purged = _store.Caches.Purge(request.Listener, request.Route, request.Key, request.Prefix);
        await Write(context, new CachePurgeView(purged), AdminJsonContext.Default.CachePurgeView).ConfigureAwait(false);
    }

    private Task ListPools(HttpContext context)
    {
        var pools = new List<PoolView>();
        foreach (var pool in _store.Current.Pools.Values) pools.Add(Views.Of(pool, _store.Retiring(pool.Name), _store.Discovery.For(pool.Name)));
        pools.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return Write(context, pools, AdminJsonContext.Default.ListPoolView);
    }

    private Task GetPool(HttpContext context)
    {
        var name = (string)context.Request.RouteValues["pool"]!;
        if (!_store.Current.Pools.TryGetValue(name, out var pool)) return WriteError(context, StatusCodes.Status404NotFound, $"no pool '{name}'");
        return Write(context, Views.Of(pool, _store.Retiring(name), _store.Discovery.For(name)), AdminJsonContext.Default.PoolView);
    }

    private async Task AddBackend(HttpContext context)
    {
        var pool = (string)context.Request.RouteValues["pool"]!;
        var (request, status, error) = await ReadAsync(context, AdminJsonContext.Default.AddBackendRequest).ConfigureAwait(false);
        if (request is null)
        {
            await WriteError(context, status, error!).ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrWhiteSpace(request.Address))
        {
            await WriteError(context, StatusCodes.Status400BadRequest, "\"address\" is required, e.g. {\"address\": \"127.0.0.1:9004\", \"weight\": 1}").ConfigureAwait(false);
            return;
        }

        if (request.Name is { } n && string.IsNullOrWhiteSpace(n))
        {
            await WriteError(context, StatusCodes.Status400BadRequest, "\"name\" must not be empty").ConfigureAwait(false);
            return;
        }

        var config = new BackendConfig { Name = request.Name, Address = request.Address.Trim(), Weight = request.Weight ?? 1, Backup = request.Backup ?? false };
        await Answer(context, _operations.Add(pool, config), StatusCodes.Status201Created).ConfigureAwait(false);
    }

    private async Task SetWeight(HttpContext context)
    {
        var (request, status, error) = await ReadAsync(context, AdminJsonContext.Default.WeightRequest).ConfigureAwait(false);
        if (request?.Weight is not int weight)
        {
            await WriteError(context, request is null ? status : StatusCodes.Status400BadRequest, error ?? "\"weight\" is required, e.g. {\"weight\": 3}").ConfigureAwait(false);
            return;
        }

        var pool = (string)context.Request.RouteValues["pool"]!;
        var id = (string)context.Request.RouteValues["id"]!;
        await Answer(context, _operations.SetWeight(pool, id, weight), StatusCodes.Status200OK).ConfigureAwait(false);
    }

    private Task Operate(HttpContext context, int okStatus, Func<string, string, OperationResult> operation)
    {
        var pool = (string)context.Request.RouteValues["pool"]!;
        var id = (string)context.Request.RouteValues["id"]!;
        return Answer(context, operation(pool, id), okStatus);
    }

    private async Task Reload(HttpContext context)
    {
        if (_options.Reload is null)
        {
            await WriteError(context, StatusCodes.Status501NotImplemented, "this instance cannot reload (no config file)").ConfigureAwait(false);
            return;
        }

        var result = await _options.Reload(context.RequestAborted).ConfigureAwait(false);
        if (!result.IsValid)
        {
            var details = new List<string>(result.Errors.Length);
            foreach (var e in result.Errors) details.Add(e.ToString());
            await WriteError(context, StatusCodes.Status400BadRequest, "config is invalid; the running config is unchanged", details).ConfigureAwait(false);
            return;
        }

        await Write(context, new StatusView("reloaded", _store.Current.Generation), AdminJsonContext.Default.StatusView).ConfigureAwait(false);
    }

    private Task Answer(HttpContext context, OperationResult result, int okStatus)
    {
        if (result.Ok)
        {
            context.Response.StatusCode = okStatus;
            return result.Backend is null
                ? Write(context, new StatusView("ok"), AdminJsonContext.Default.StatusView)
                : Write(context, Views.Of(result.Backend, _store.Services.Time), AdminJsonContext.Default.BackendView);
        }

        var status = result.Error switch
        {
            OperationError.PoolNotFound or OperationError.BackendNotFound => StatusCodes.Status404NotFound,
            OperationError.Conflict => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        };
        return WriteError(context, status, result.Message ?? "refused");
    }

    // The body as JSON; 413 past the admin server's body limit (declared, or found while reading a chunked one), else 400.
    private async Task<(T? Value, int Status, string? Error)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type) where T : class
    {
        var limit = _options.Limits.MaxRequestBodySize;
        if (context.Request.ContentLength > limit) return (null, StatusCodes.Status413PayloadTooLarge, $"body larger than {limit} bytes");
        try
        {
            var value = await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted).ConfigureAwait(false);
            return value is null ? (null, StatusCodes.Status400BadRequest, "body must be a JSON object") : (value, StatusCodes.Status200OK, null);
        }
        catch (JsonException e)
        {
            return (null, StatusCodes.Status400BadRequest, $"body is not valid JSON: {e.Message}");
        }
        catch (BadHttpRequestException e)
        {
            return (null, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? $"body larger than {limit} bytes" : "the request body could not be read");
        }
    }

    private static Task Write<T>(HttpContext context, T value, JsonTypeInfo<T> type) =>
        context.Response.WriteAsJsonAsync(value, type, "application/json; charset=utf-8", context.RequestAborted);

    public static Task WriteError(HttpContext context, int status, string message, IReadOnlyList<string>? details = null)
    {
        context.Response.StatusCode = status;
        return Write(context, new ErrorView(message, details), AdminJsonContext.Default.ErrorView);
    }
}
