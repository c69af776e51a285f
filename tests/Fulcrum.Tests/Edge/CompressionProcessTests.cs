using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using Xunit.Abstractions;
using Fulcrum.TestSupport.Http;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Edge;

/// <summary>`compress` in the real `fulcrum` process, read by curl and by .NET's HttpClient (docs/compression.md).</summary>
public sealed class CompressionProcessTests(ITestOutputHelper output)
{
    private static string Yaml(string backend, string compress = "{ encodings: [ zstd, br, gzip ] }") => $$"""
        listeners:
          - name: web
            bind: 127.0.0.1:0
            protocol: http
            routes:
              - pool: app
                compress: {{compress}}
        pools:
          - name: app
            backends: [ { address: {{backend}} } ]
        """;

    private static async Task<(int Code, string Output)> CurlAsync(params string[] args)
    {
        var info = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var curl = Process.Start(info)!;
        var output = curl.StandardOutput.ReadToEndAsync();
        var error = curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (curl.ExitCode, await output + await error);
    }

    [Fact]
    public async Task Run_CurlAndHttpClient_DecodeGzipBrAndZstd_ToTheBackendsBytes()
    {
        await using var backend = await ContentBackend.StartAsync();
        using var file = new ConfigFile(Yaml(backend.Address));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();
        var expected = ContentBackend.Text(300_000);

        foreach (var coding in new[] { "gzip", "br", "zstd" })
        {
            var body = Path.Combine(file.Directory, coding + ".body");
            var headers = Path.Combine(file.Directory, coding + ".headers");
            var (code, output) = await CurlAsync("-sS", "--compressed", "-H", "Accept-Encoding: " + coding, "-D", headers, "-o", body,
                new Uri(url, "text?size=300000").ToString());
            Assert.True(code == 0, $"curl --compressed ({coding}) failed: {output}");
            Assert.Contains("content-encoding: " + coding, File.ReadAllText(headers).ToLowerInvariant());
            Assert.Equal(expected, File.ReadAllBytes(body));
        }

        using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Brotli, UseProxy = false });
        foreach (var coding in new[] { "gzip", "br" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "json?size=300000"));
            request.Headers.AcceptEncoding.Clear();
            request.Headers.TryAddWithoutValidation("Accept-Encoding", coding);
            using var response = await client.SendAsync(request);
            Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync());
        }

        // HttpClient has no zstd decoder of its own: it reads the encoded bytes, ZstdSharp decodes them.
        using var raw = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var zstdRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "json?size=300000"));
        zstdRequest.Headers.TryAddWithoutValidation("Accept-Encoding", "zstd");
        using var zstd = await raw.SendAsync(zstdRequest);
        Assert.Equal(["zstd"], zstd.Content.Headers.ContentEncoding);
        await using var decoder = new ZstdSharp.DecompressionStream(await zstd.Content.ReadAsStreamAsync());
        using var decoded = new MemoryStream();
        await decoder.CopyToAsync(decoded);
        Assert.Equal(expected, decoded.ToArray());
    }

    [Fact]
    public async Task Run_QZero_SmallAndAlreadyEncodedBodies_PassUntouched()
    {
        await using var backend = await ContentBackend.StartAsync();
        using var file = new ConfigFile(Yaml(backend.Address));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();

        (string Path, string Accept, byte[] Expected)[] cases =
        [
            ("text?size=300000", "gzip;q=0", ContentBackend.Text(300_000)),
            ("text?size=300000", "gzip;q=0, br;q=0, zstd;q=0, identity", ContentBackend.Text(300_000)),
            ("text?size=500", "gzip, br, zstd", ContentBackend.Text(500)),
            ("encoded?size=300000", "br, zstd", ContentBackend.Gzip(ContentBackend.Text(300_000))),
        ];
        foreach (var (path, accept, expected) in cases)
        {
            var body = Path.Combine(file.Directory, "body");
            var headers = Path.Combine(file.Directory, "headers");
            // No --compressed: curl writes the bytes as they came.
            var (code, output) = await CurlAsync("-sS", "-H", "Accept-Encoding: " + accept, "-D", headers, "-o", body, new Uri(url, path).ToString());
            Assert.True(code == 0, $"curl failed: {output}");
            var head = File.ReadAllText(headers).ToLowerInvariant();
            Assert.Equal(path.StartsWith("encoded", StringComparison.Ordinal), head.Contains("content-encoding:"));
            Assert.Contains("content-length: " + expected.Length, head);
            Assert.Equal(expected, File.ReadAllBytes(body));
        }
    }

    [Fact]
    public async Task Run_AGibibyteStreamedThrough_IsCompressedWithoutBuffering_TheProcessMemoryStaysFlat()
    {
        const long Size = 1L << 30;
        await using var backend = await ContentBackend.StartAsync();
        using var file = new ConfigFile(Yaml(backend.Address, "{ encodings: [ gzip ], gzip-level: 1 }"));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromMinutes(10) };

        // Warm up the path (JIT, pools, the encoder), then take the resident size as the baseline.
        using (var warm = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "stream?size=33554432")))
        {
            warm.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
            using var response = await client.SendAsync(warm);
            await response.Content.ReadAsByteArrayAsync();
        }

        var baseline = ResidentBytes(fulcrum.Id);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, $"stream?size={Size}"));
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        using var big = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(["gzip"], big.Content.Headers.ContentEncoding);
        var encoded = new CountingReadStream(await big.Content.ReadAsStreamAsync());
        await using var gunzip = new GZipStream(encoded, CompressionMode.Decompress);

        // Memory is sampled as the body passes (every 32 MiB decoded), so the loop is bounded by the body, not by time.
        var buffer = new byte[256 * 1024];
        long decoded = 0, nextSample = 0, peak = baseline;
        int read;
        while ((read = await gunzip.ReadAsync(buffer)) > 0)
        {
            decoded += read;
            if (decoded < nextSample) continue;
            peak = Math.Max(peak, ResidentBytes(fulcrum.Id));
            nextSample += 32L << 20;
        }

        output.WriteLine($"1 GiB through gzip level 1: {encoded.Count} bytes encoded; fulcrum's VmRSS {baseline >> 20} MiB before, {peak >> 20} MiB at most during");
        Assert.Equal(Size, decoded);
        Assert.True(encoded.Count < Size / 4, $"1 GiB of text should be encoded to under 256 MiB, got {encoded.Count >> 20} MiB");
        var growth = peak - baseline;
        Assert.True(growth < 96L << 20,
            $"fulcrum's resident memory grew by {growth >> 20} MiB (from {baseline >> 20} MiB) while 1 GiB passed: the body was buffered");
    }

    // VmRSS of /proc/PID/status: what the process holds in memory now.
    private static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS for process {pid}");
    }

    private sealed class CountingReadStream(Stream inner) : Stream
    {
        public long Count { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => Counted(await inner.ReadAsync(buffer, cancellationToken));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        private int Counted(int n)
        {
            Count += n;
            return n;
        }
    }
}
