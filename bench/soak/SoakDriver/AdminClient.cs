using System.Globalization;
using System.Text.Json;

namespace Fulcrum.Bench.Soak;

/// <summary>The calls the soak makes on Fulcrum's admin API, each bounded by the client's timeout.</summary>
public sealed class AdminClient : IDisposable
{
    private const string GcHeapSeries = "fulcrum_process_memory_bytes{kind=\"gc_heap\"} ";

    private readonly HttpClient _http;

    public AdminClient(int port)
    {
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task<bool> HealthyAsync()
    {
        try
        {
            using var response = await _http.GetAsync("healthz");
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>Every backend's `active` (leases held) from GET /api/pools, as "pool/id" to count; null if it did not answer.</summary>
    public async Task<Dictionary<string, long>?> ActiveAsync()
    {
        try
        {
            await using var body = await _http.GetStreamAsync("api/pools");
            using var json = await JsonDocument.ParseAsync(body);
            var active = new Dictionary<string, long>();
            foreach (var pool in json.RootElement.EnumerateArray())
            {
                var name = pool.GetProperty("name").GetString();
                foreach (var backend in pool.GetProperty("backends").EnumerateArray())
                {
                    var key = $"{name}/{backend.GetProperty("id").GetString()}";
                    active[key] = active.GetValueOrDefault(key) + backend.GetProperty("active").GetInt64();
                }
            }

            return active;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>`fulcrum_process_memory_bytes{kind="gc_heap"}` from /metrics; null if it did not answer.</summary>
    public async Task<long?> GcHeapAsync()
    {
        try
        {
            var text = await _http.GetStringAsync("metrics");
            var at = text.IndexOf(GcHeapSeries, StringComparison.Ordinal);
            if (at < 0) return null;
            var start = at + GcHeapSeries.Length;
            var end = text.IndexOf('\n', start);
            var value = text.AsSpan(start, (end < 0 ? text.Length : end) - start).Trim();
            return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var bytes) ? (long)bytes : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>POST /api/pools/{pool}/backends/{id}/{action} (drain, ready); whether it answered 2xx.</summary>
    public async Task<bool> BackendActionAsync(string pool, string id, string action)
    {
        try
        {
            using var response = await _http.PostAsync($"api/pools/{pool}/backends/{id}/{action}", content: null);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _http.Dispose();
}
