using Fulcrum.Core.Caching;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;
using Fulcrum.L7.Forwarding;
using Microsoft.AspNetCore.Http;
using static Fulcrum.L7.Caching.CacheAnswer;
using static Fulcrum.L7.Caching.CacheRules;

namespace Fulcrum.L7.Caching;

/// <summary>
/// A route's RFC 9111 shared cache (docs/caching.md). On the request it answers from the store when it may (fresh,
/// or stale as the request or RFC 5861 allow), revalidates a stale response with its validators, collapses
/// concurrent misses of one key into one backend request, and otherwise lets the request go on. On the response it
/// keeps a copy of a storable body as it streams to the client and stores it when the body ended, or sends a stale
/// response in place of a 5xx (stale-if-error). Every answer carries Cache-Status (RFC 9211).
/// It sits above compression (<see cref="FilterStage.Cache"/>): what it stores is what compression produced.
/// </summary>
internal sealed class CacheFilter(CacheStore store, TimeProvider time) : HttpFilter
{
    private readonly string _hit = store.Config.Name + "; hit";
    // The W3C Edge Architecture's capability token: this cache understands Surrogate-Control targeted at its name.
    private readonly string _capability = store.Config.Name + "=\"Surrogate/1.0\"";
    private FilterChain _below = FilterChain.Empty;
    private IBackendTarget? _target;

    public override FilterHooks Hooks => FilterHooks.RequestHead | FilterHooks.ResponseHead | FilterHooks.ResponseBody | FilterHooks.ResponseEnd;

    public CacheStore Store => store;

    /// <summary>What the cache's own requests go through: the filters below it and the route's target (RouteCompiler).</summary>
    public void Attach(FilterChain below, IBackendTarget? target)
    {
        _below = below;
        _target = target;
    }

    private string Name => store.Config.Name;

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        var method = exchange.Method;
        var isGet = HttpMethods.IsGet(method);
        if (!(isGet || HttpMethods.IsHead(method)) || exchange.IsUpgradeOrConnect)
        {
            var unsafeMethod = !(isGet || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));
            exchange.Cache = new CacheRequest(store, CacheKey.Of(exchange), time.GetUtcNow(), CacheControl.None) { Invalidates = unsafeMethod, Forward = "method" };
            Count(exchange, CacheResult.Bypass);
            return Continue;
        }

        var key = CacheKey.Of(exchange);
        var control = RequestControl(exchange.RequestHeaders);
        var varyMiss = false;
        var now = time.GetUtcNow();
        // A request that says no-store is kept out of the cache both ways (RFC 9111 section 5.2.1.5).
        var stored = control.NoStore ? null : Select(key, exchange.RequestHeaders, out varyMiss);
        if (stored is not null)
        {
            var ttl = stored.TimeToLive(now);
            var usable = Usable(stored, control, now, ttl);
            if (usable == CacheResult.Hit) return Serve(exchange, stored, now, CacheResult.Hit, _hit);
            if (usable == CacheResult.Stale) return Serve(exchange, stored, now, CacheResult.Stale, $"{Name}; hit; ttl={Seconds(ttl)}; detail=max-stale");
            if (!control.NoCache && !stored.MayNotServeStale && stored.Control.StaleWhileRevalidate is { } swr && -ttl <= TimeSpan.FromSeconds(swr) && _target is not null)
            {
                // RFC 5861 section 3: serve it now, refresh it behind the client's back (once per key at a time).
                if (store.TryLead(key, out var refill)) _ = RefreshAsync(new CacheFetch(exchange, stored, MaxObject, _capability), key, stored, refill, now);
                return Serve(exchange, stored, now, CacheResult.Stale, $"{Name}; hit; ttl={Seconds(ttl)}; detail=stale-while-revalidate");
            }

            if (stored.HasValidator && _target is not null && !control.OnlyIfCached && !HasConditional(exchange.RequestHeaders))
                return RevalidateAsync(exchange, key, stored, control, now);
        }

        if (control.OnlyIfCached)
        {
            // RFC 9111 section 5.2.1.7: nothing stored that may answer it.
            exchange.SetAnswer(504, "504 not in the cache (only-if-cached)\n"u8.ToArray(), "text/plain; charset=utf-8");
            exchange.ResponseHeaders[CacheStatusHeader] = $"{Name}; fwd=miss; detail=only-if-cached";
            Count(exchange, CacheResult.Miss);
            return Answered;
        }

        var forward = control.NoStore ? "request" : stored is not null ? (control.NoCache || control.MaxAge is not null || control.MinFresh is not null ? "request" : "stale")
            : varyMiss ? "vary-miss" : "uri-miss";
        var request = new CacheRequest(store, key, now, control) { Stale = stored, Forward = forward };
        exchange.Cache = request;
        exchange.RequestHeaders.Append(CacheHeaders.SurrogateCapability, _capability);
        if (!isGet || control.NoCache || control.NoStore) return Continue;
        if (store.TryLead(key, out var fill))
        {
            request.Fill = fill;
            return Continue;
        }

        return FollowAsync(exchange, key, fill, request);
    }

    // A request for a key another request is fetching waits for that fetch (at most lock-timeout), then looks again.
    private async ValueTask<FilterResult> FollowAsync(HttpExchange exchange, string key, CacheFill fill, CacheRequest request)
    {
        var timeout = store.Config.LockTimeout;
        if (!fill.Done.IsCompleted)
        {
            try
            {
                await fill.Done.WaitAsync(timeout, time);
            }
            catch (TimeoutException)
            {
                // The fetch is slow: this request stops waiting and goes to the backend itself.
            }
        }

        var now = time.GetUtcNow();
        var stored = Select(key, exchange.RequestHeaders, out _);
        if (stored is not null && Usable(stored, request.Control, now, stored.TimeToLive(now)) == CacheResult.Hit)
        {
            exchange.Cache = null;
            return await Serve(exchange, stored, now, CacheResult.Collapsed, $"{Name}; hit; collapsed");
        }

        return FilterResult.Continue; // the response was not stored (or not for this variant): the backend answers this one too
    }

    // A stale response with validators: ask the backend whether it still holds (RFC 9111 section 4.3), collapsing
    // concurrent revalidations of the key into one.
    private async ValueTask<FilterResult> RevalidateAsync(HttpExchange exchange, string key, CachedResponse stale, CacheControl control, DateTimeOffset now)
    {
        if (!store.TryLead(key, out var fill))
        {
            var request = new CacheRequest(store, key, now, control) { Stale = stale, Forward = "stale" };
            exchange.Cache = request;
            return await FollowAsync(exchange, key, fill, request);
        }

        var fetch = new CacheFetch(exchange, stale, MaxObject, _capability);
        try
        {
            await fetch.RunAsync(_below, _target!);
            var answered = time.GetUtcNow();
            var status = fetch.Status;
            if (status == StatusCodes.Status304NotModified)
            {
                var refreshed = Refresh(stale, fetch.Headers, now, answered);
                store.Store(refreshed);
                return await Serve(exchange, refreshed, answered, CacheResult.Revalidated, $"{Name}; fwd=stale; fwd-status=304");
            }

            if (fetch.TooLarge)
            {
                // Too large to store: the client's own request streams it (the backend is asked twice, rarely), and the
                // stale response, which the backend no longer sends, goes.
                store.Remove(stale);
                exchange.Cache = new CacheRequest(store, key, now, control) { Stale = stale, Forward = "stale" };
                return FilterResult.Continue;
            }

            if (status >= 500 && StaleIfError(stale, control, answered))
                return await Serve(exchange, stale, answered, CacheResult.Stale, $"{Name}; fwd=stale; fwd-status={status}; detail=stale-if-error");


            // A new response: stored in the stale one's place when it may be (Vary: * may not), else only passed on.
            var names = CacheKey.VaryNames(fetch.Headers);
            var storable = Storable(status, control, exchange.RequestHeaders, fetch.Headers) is null && names is not { Length: 0 };
            var varied = names is { Length: > 0 };
            var response = new CachedResponse(key, varied ? names : null, varied ? VaryValues(names!, exchange.RequestHeaders) : null, status,
                fetch.StoredHeaders(), fetch.Body!, now, answered, store.Config.Heuristic, Name);
            if (storable) store.Store(response);
            else store.Remove(stale);
            return await Serve(exchange, response, answered, CacheResult.Miss, $"{Name}; fwd=stale; fwd-status={status}{(storable ? "; stored" : "")}", conditional: false);
        }
        finally
        {
            store.EndFill(key, fill);
        }
    }

    // stale-while-revalidate's refresh: stores what the backend says; the client already has its answer.
    private async Task RefreshAsync(CacheFetch fetch, string key, CachedResponse stale, CacheFill fill, DateTimeOffset asked)
    {
        try
        {
            await fetch.RunAsync(_below, _target!);
            var answered = time.GetUtcNow();
            if (fetch.Status == StatusCodes.Status304NotModified) store.Store(Refresh(stale, fetch.Headers, asked, answered));
            else if (fetch.Status < 500 && fetch.Body is { } body && Storable(fetch.Status, CacheControl.None, null, fetch.Headers) is null)
            {
                var names = CacheKey.VaryNames(fetch.Headers);
                if (names is { Length: 0 }) return;
                // The variant refreshed is the stale one's: its request's Vary values stand for the new request's.
                store.Store(new CachedResponse(key, names, names is null ? null : SameOrUnknown(names, stale), fetch.Status, fetch.StoredHeaders(), body, asked, answered, store.Config.Heuristic, Name));
            }
        }
        finally
        {
            store.EndFill(key, fill);
        }
    }

    private static string?[]? SameOrUnknown(string[] names, CachedResponse stale)
    {
        if (stale.VaryNames is { } old && old.AsSpan().SequenceEqual(names)) return stale.VaryValues;
        return new string?[names.Length];
    }

    public override void OnResponseHead(HttpExchange exchange)
    {
        if (exchange.Cache is not { } request) return;
        var headers = exchange.ResponseHeaders;
        var status = exchange.Status;
        if (request.Forward == "method")
        {
            // RFC 9111 section 4.4: a non-error answer to an unsafe method invalidates the target URI.
            if (request.Invalidates && status is >= 200 and < 400)
            {
                store.Purge(request.Key, null);
                // And the Location and Content-Location URIs when they are of the same origin (the same key space).
                if (SameOrigin(request.Key, headers.Location) is { } location) store.Purge(location, null);
                if (SameOrigin(request.Key, headers.ContentLocation) is { } contentLocation) store.Purge(contentLocation, null);
            }

            headers[CacheStatusHeader] = $"{Name}; fwd=method";
            return;
        }

        var now = time.GetUtcNow();
        if (status is 500 or 502 or 503 or 504 && request.Stale is { } stale && StaleIfError(stale, request.Control, now))
        {
            // RFC 5861 section 4: the backend failed (or the pool has no usable backend); the stale response answers.
            request.Replacement = stale;
            request.EndFill();
            exchange.SetAnswer(stale.Status, stale.Body, null);
            WriteHeaders(exchange, stale, now, $"{Name}; fwd=stale; fwd-status={status}; detail=stale-if-error");
            Count(exchange, CacheResult.Stale);
            return;
        }

        Count(exchange, CacheResult.Miss);
        var why = HttpMethods.IsGet(exchange.Method) ? Storable(status, request.Control, exchange.RequestHeaders, headers) : "method";
        var length = exchange.ResponseContentLength;
        if (why is null && length > MaxObject) why = "size";
        var vary = why is null ? CacheKey.VaryNames(headers) : null;
        if (vary is { Length: 0 }) why = "vary";
        var statusText = $"{Name}; fwd={request.Forward}; fwd-status={status}";
        if (why is not null)
        {
            request.EndFill();
            headers.Remove(CacheHeaders.SurrogateControl);
            headers[CacheStatusHeader] = Prepend(headers, statusText);
            return;
        }

        request.Status = status;
        request.ResponseTime = now;
        request.VaryNames = vary;
        request.VaryValues = vary is null ? null : VaryValues(vary, exchange.RequestHeaders);
        request.Headers = CacheHeaders.ForStore(headers, exchange.AffinityCookie);
        headers.Remove(CacheHeaders.SurrogateControl);
        headers[CacheStatusHeader] = Prepend(headers, statusText + "; stored"); // a body of unknown length that outgrows max-object-size is let go after all
    }

    public override void OnResponseBody(HttpExchange exchange)
    {
        if (exchange.Cache is not { } request) return;
        if (request.Replacement is not null)
        {
            // Whatever the backend or the balancer sends now is dropped; the end hook writes the stored body.
            request.ClientBody = exchange.ResponseBody;
            exchange.ResponseBody = Stream.Null;
        }
        else if (request.Headers is not null)
        {
            exchange.ResponseBody = request.Capture = new CacheCapture(exchange.ResponseBody, MaxObject);
        }
    }

    public override async ValueTask OnResponseEndAsync(HttpExchange exchange)
    {
        if (exchange.Cache is not { } request) return;
        exchange.Cache = null;
        try
        {
            if (request.Replacement is { } replacement && request.ClientBody is { } client)
            {
                exchange.ResponseBody = client;
                if (!HttpMethods.IsHead(exchange.Method) && replacement.Body.Length > 0) await client.WriteAsync(replacement.Body, exchange.Aborted);
            }
            else if (request.Capture is { Complete: true } capture && request.Headers is { } headers)
            {
                store.Store(new CachedResponse(request.Key, request.VaryNames, request.VaryValues, request.Status, headers, capture.Body,
                    request.RequestTime, request.ResponseTime, store.Config.Heuristic, Name));
            }
        }
        finally
        {
            request.EndFill();
        }
    }

    private long MaxObject => store.Config.EffectiveMaxObjectSize;

    // A Location or Content-Location as a cache key, when it names the same scheme and host as the request's key.
    private static string? SameOrigin(string key, Microsoft.Extensions.Primitives.StringValues value)
    {
        if (value.Count != 1 || string.IsNullOrEmpty(value[0])) return null;
        if (!Uri.TryCreate(key, UriKind.Absolute, out var baseUri) || !Uri.TryCreate(baseUri, value[0], out var target)) return null;
        if (!string.Equals(target.Scheme, baseUri.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(target.Authority, baseUri.Authority, StringComparison.OrdinalIgnoreCase)) return null;
        return baseUri.GetLeftPart(UriPartial.Authority) + target.PathAndQuery;
    }

    private CachedResponse? Select(string key, IHeaderDictionary headers, out bool varyMiss)
    {
        varyMiss = false;
        if (store.Variants(key) is not { } variants) return null;
        foreach (var variant in variants)
        {
            if (CacheKey.Matches(variant, headers)) return variant;
        }

        varyMiss = true;
        return null;
    }

    private string? Storable(int status, CacheControl request, IHeaderDictionary? requestHeaders, IHeaderDictionary headers)
    {
        var control = CacheHeaders.ControlOf(headers.CacheControl, headers[CacheHeaders.SurrogateControl], Name);
        var surrogate = headers.ContainsKey(CacheHeaders.SurrogateControl);
        var authorized = requestHeaders is not null && requestHeaders.ContainsKey("Authorization");
        // A Surrogate-Control max-age stands in for Expires too.
        var expires = headers.ContainsKey("Expires") && !(surrogate && control.MaxAge is not null);
        if (CacheRules.WhyNotStored(status, control, request, authorized, expires) is { } why) return why;
        // A response that is stale on arrival is worth keeping only to revalidate, or to serve on error.
        var probe = control.NoCache || control.MaxAge is 0 || control.SharedMaxAge is 0;
        if ((probe || (control.MaxAge is null && control.SharedMaxAge is null && !expires && !store.Config.Heuristic))
            && !headers.ContainsKey("ETag") && !headers.ContainsKey("Last-Modified") && control.StaleIfError is null) return "no-freshness";
        return null;
    }

    private static string?[] VaryValues(string[] names, IHeaderDictionary requestHeaders)
    {
        var values = new string?[names.Length];
        for (var i = 0; i < names.Length; i++) values[i] = CacheKey.VaryValue(requestHeaders, names[i]);
        return values;
    }

    private CachedResponse Refresh(CachedResponse stale, IHeaderDictionary notModified, DateTimeOffset requestTime, DateTimeOffset responseTime) =>
        new(stale.Key, stale.VaryNames, stale.VaryValues, stale.Status, CacheHeaders.Refresh(stale.Headers, notModified), stale.Body, requestTime, responseTime, store.Config.Heuristic, Name);

    // Answers from the store: the stored status, headers and body, with Age (RFC 9111 section 5.1) and Cache-Status.
    // A client's own conditional request that the stored response satisfies gets a 304 (section 4.3.2).
    private ValueTask<FilterResult> Serve(HttpExchange exchange, CachedResponse stored, DateTimeOffset now, CacheResult result, string cacheStatus, bool conditional = true)
    {
        stored.Visited = true;
        if (conditional && stored.Status == 200 && NotModified(exchange.RequestHeaders, stored))
        {
            exchange.SetAnswer(StatusCodes.Status304NotModified, ReadOnlyMemory<byte>.Empty, null);
            WriteHeaders(exchange, stored, now, cacheStatus, notModified: true);
        }
        else
        {
            exchange.SetAnswer(stored.Status, stored.Body, null);
            WriteHeaders(exchange, stored, now, cacheStatus);
        }

        Count(exchange, result);
        return Answered;
    }

    private void Count(HttpExchange exchange, CacheResult result)
    {
        store.Counters.Count(result);
        exchange.Record.Cache = CacheResultNames.Of(result);
    }
}
