using System.Text;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Answers;

/// <summary>Answers the balancer gives itself: a status and a short plain-text line a human can act on.</summary>
internal static class PlainTextAnswer
{
    private const string ContentType = "text/plain; charset=utf-8";

    public static readonly byte[] NoRoute = Encoding.UTF8.GetBytes("404 not found: no route of this listener matches the request\n");

    public static readonly byte[] NoAction = Encoding.UTF8.GetBytes("500 internal error: the route has neither a backend nor an answer\n");

    public static byte[] NoBackend(string pool) => Encoding.UTF8.GetBytes($"503 service unavailable: no backend available in pool '{pool}'\n");

    public static byte[] BadGateway(string pool) => Encoding.UTF8.GetBytes($"502 bad gateway: the backend of pool '{pool}' failed to answer\n");

    public static byte[] GatewayTimeout(string pool) => Encoding.UTF8.GetBytes($"504 gateway timeout: the backend of pool '{pool}' did not answer in time\n");

    public static byte[] UnknownPool(string pool) => Encoding.UTF8.GetBytes($"503 service unavailable: pool '{pool}' is not defined\n");

    public static byte[] BadRequestBody { get; } = Encoding.UTF8.GetBytes("400 bad request: the request body ended early or could not be read\n");

    public static byte[] BodyTooLarge { get; } = Encoding.UTF8.GetBytes("413 content too large: the request body is over this listener's max-body-size\n");

    public static byte[] FileNotFound { get; } = Encoding.UTF8.GetBytes("404 not found: no such file\n");

    public static byte[] HostilePath { get; } = Encoding.UTF8.GetBytes("400 bad request: the path leaves the folder it names (.., a backslash or NUL)\n");

    public static byte[] FilesOnlyGet { get; } = Encoding.UTF8.GetBytes("405 method not allowed: files answer GET and HEAD\n");

    public static byte[] RangeNotSatisfiable { get; } = Encoding.UTF8.GetBytes("416 range not satisfiable: the range starts past the end of the file\n");

    public static void Set(HttpExchange exchange, int status, byte[] body) => exchange.SetAnswer(status, body, ContentType);
}
