using System.Net.Sockets;

namespace Fulcrum.Bench.Soak;

/// <summary>Binding a killed backend's port again: bounded retries for the moment the kernel still holds it.</summary>
public static class Retry
{
    private const int Attempts = 50;
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    public static async Task<T> BindAsync<T>(Func<Task<T>> bind)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await bind();
            }
            catch (Exception e) when (attempt < Attempts && IsAddressInUse(e))
            {
                // The port is busy for a moment; asking again is the only way to learn when it is free.
                await Task.Delay(Pause);
            }
        }
    }

    /// <summary>A socket bound to 127.0.0.1:PORT (and listening, for a stream socket).</summary>
    public static Task<Socket> BindSocketAsync(SocketType type, ProtocolType protocol, int port) => BindAsync(() =>
    {
        var s = new Socket(AddressFamily.InterNetwork, type, protocol);
        try
        {
            s.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
            if (type == SocketType.Stream) s.Listen(1024);
            return Task.FromResult(s);
        }
        catch
        {
            s.Dispose();
            throw;
        }
    });

    private static bool IsAddressInUse(Exception e) => e switch
    {
        SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } => true,
        IOException { InnerException: { } inner } => IsAddressInUse(inner),
        _ => false,
    };
}
