using System.Net;
using System.Security.Cryptography;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.BackendLeg;

/// <summary>Bodies larger than any buffer, both ways, through the lean leg, with real byte counts on the backend.</summary>
public sealed class LargeBodyTests
{
    private const int Size = 10 * 1024 * 1024;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TenMegabyteBodies_PassBothWays_Intact_AndAreCountedForLeastBandwidth(bool knownLength)
    {
        await using var echo = await StartEchoAsync();
        var pool = new PoolConfig { Name = "echo", Algorithm = "least-bandwidth", Backends = [new BackendConfig { Address = echo.Urls.First().Replace("http://", "") }] };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("echo")), pool));
        var payload = RandomNumberGenerator.GetBytes(Size);

        // Without a length HttpClient sends the body chunked, which the lean leg re-sends chunked.
        HttpContent content = knownLength ? new ByteArrayContent(payload) : new StreamContent(new UnknownLengthStream(payload));
        using var response = await proxy.Client.PostAsync("/", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var back = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(back));
        var stats = proxy.Pool("echo").Backends[0].Stats;
        await Poll.UntilAsync(() => stats.Active == 0, "the lease to be released");
        Assert.Equal(Size, stats.BytesSent);
        Assert.Equal(Size, stats.BytesReceived);
    }

    // Echoes the request body, streaming, with no Content-Length (so the answer comes back chunked).
    private static async Task<WebApplication> StartEchoAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async context =>
        {
            context.Response.ContentType = "application/octet-stream";
            await context.Request.Body.CopyToAsync(context.Response.Body, context.RequestAborted);
        });
        await app.StartAsync();
        _ = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        return app;
    }

    /// <summary>A readable stream that does not tell its length, so HttpClient must send it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var take = Math.Min(count, data.Length - _position);
            data.AsSpan(_position, take).CopyTo(buffer.AsSpan(offset));
            _position += take;
            return take;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
