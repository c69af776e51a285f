using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Waf;

/// <summary>
/// One request through ModSecurity: a transaction on the route's rule set, fed the connection, the request line, the
/// headers and the body (as much as the route reads), then asked whether to interrupt. Every native call happens
/// here, synchronously, on one thread (a transaction is not thread-safe; the rule set is shared by all), and the
/// transaction and the strings ModSecurity hands over are freed before it returns, whatever happens.
/// </summary>
internal static unsafe class WafTransaction
{
    [ThreadStatic]
    private static byte[]? _scratch;

    /// <param name="server">The listener's address and port, as ModSecurity's SERVER_ADDR and SERVER_PORT.</param>
    public static WafVerdict Inspect(WafRules rules, HttpExchange exchange, IPEndPoint server, ReadOnlySpan<byte> body)
    {
        var library = rules.Engine.Library;
        var findings = WafFindings.Begin();
        var referenced = false;
        nint transaction = 0;
        try
        {
            rules.DangerousAddRef(ref referenced);
            transaction = Begin(rules, exchange.Record.RequestId);
            if (transaction == 0) throw new InvalidOperationException("ModSecurity could not start a transaction (out of memory?)");
            Connection(library, transaction, exchange, server);
            RequestLine(library, transaction, exchange);
            foreach (var (name, values) in exchange.RequestHeaders)
            {
                foreach (var value in values) Header(library, transaction, name, value ?? "");
            }

            library.ProcessRequestHeaders(transaction);
            if (Intervened(library, transaction, findings) is { } early) return early;
            if (!body.IsEmpty)
            {
                fixed (byte* bytes = body)
                {
                    library.AppendRequestBody(transaction, bytes, (nuint)body.Length);
                }
            }

            library.ProcessRequestBody(transaction);
            return Intervened(library, transaction, findings) ?? WafVerdict.Pass;
        }
        finally
        {
            findings.End();
            if (transaction != 0) library.TransactionCleanup(transaction);
            if (referenced) rules.DangerousRelease();
        }
    }

    // With the request's X-Request-ID as ModSecurity's unique id when there is one, so its messages name the request
    // the access log names (and it skips making an id of its own).
    private static nint Begin(WafRules rules, string? requestId)
    {
        var engine = rules.Engine;
        var set = rules.DangerousGetHandle();
        if (string.IsNullOrEmpty(requestId)) return engine.Library.NewTransaction(engine.Handle, set, 0);
        var scratch = Scratch(Encoding.UTF8.GetMaxByteCount(requestId.Length) + 1);
        Write(requestId, scratch, 0);
        fixed (byte* text = scratch)
        {
            return engine.Library.NewTransactionWithId(engine.Handle, set, text, 0);
        }
    }

    private static void Connection(ModSecurityLibrary library, nint transaction, HttpExchange exchange, IPEndPoint server)
    {
        var scratch = Scratch(128);
        var client = Address(exchange.ClientAddress ?? IPAddress.None, scratch, 0);
        var serverAt = client + 1;
        Address(server.Address, scratch, serverAt);
        fixed (byte* text = scratch)
        {
            library.ProcessConnection(transaction, text, exchange.ClientPort, text + serverAt, server.Port);
        }
    }

    private static void RequestLine(ModSecurityLibrary library, nint transaction, HttpExchange exchange)
    {
        var target = exchange.RawTarget;
        var method = exchange.Method;
        var version = VersionOf(exchange.Protocol);
        var scratch = Scratch(Encoding.UTF8.GetMaxByteCount(target.Length + method.Length + version.Length) + 3);
        var methodAt = Write(target, scratch, 0);
        var versionAt = Write(method, scratch, methodAt);
        Write(version, scratch, versionAt);
        fixed (byte* text = scratch)
        {
            library.ProcessUri(transaction, text, text + methodAt, text + versionAt);
        }
    }

    private static void Header(ModSecurityLibrary library, nint transaction, string name, string value)
    {
        var scratch = Scratch(Encoding.UTF8.GetMaxByteCount(name.Length + value.Length));
        var nameLength = Encoding.UTF8.GetBytes(name, scratch);
        var valueLength = Encoding.UTF8.GetBytes(value, scratch.AsSpan(nameLength));
        fixed (byte* text = scratch)
        {
            library.AddRequestHeader(transaction, text, (nuint)nameLength, text + nameLength, (nuint)valueLength);
        }
    }

    private static WafVerdict? Intervened(ModSecurityLibrary library, nint transaction, WafFindings findings)
    {
        var intervention = new ModSecurityIntervention { Status = 200 };
        try
        {
            if (library.Intervention(transaction, &intervention) == 0) return null;
            // The disruptive rule (the CRS's 949110, say) reports itself in the intervention's log, not the callback.
            if (intervention.Log is not null) findings.Add(intervention.Log);
            var status = intervention.Status is >= 300 and <= 599 ? intervention.Status : 403;
            var redirect = intervention.Url is null ? null : Marshal.PtrToStringUTF8((nint)intervention.Url);
            return new WafVerdict(status, WafReasons.Of(findings), findings.Text(), redirect);
        }
        finally
        {
            // Both are strdup'ed for us (Transaction::intervention): ours to free.
            if (intervention.Url is not null) NativeMemory.Free(intervention.Url);
            if (intervention.Log is not null) NativeMemory.Free(intervention.Log);
        }
    }

    // ModSecurity builds REQUEST_PROTOCOL as "HTTP/" + this; the CRS's allowed versions list HTTP/2 and HTTP/2.0.
    private static string VersionOf(string protocol) => protocol switch
    {
        "HTTP/1.1" => "1.1",
        "HTTP/2" => "2.0",
        "HTTP/1.0" => "1.0",
        "HTTP/3" => "3.0",
        _ => protocol.StartsWith("HTTP/", StringComparison.Ordinal) ? protocol[5..] : protocol,
    };

    // Writes text and a NUL at `at`; returns where the next string starts.
    private static int Write(string text, byte[] into, int at)
    {
        var length = Encoding.UTF8.GetBytes(text, into.AsSpan(at));
        into[at + length] = 0;
        return at + length + 1;
    }

    private static int Address(IPAddress address, byte[] into, int at)
    {
        address.TryFormat(into.AsSpan(at, 64), out int length);
        into[at + length] = 0;
        return at + length;
    }

    private static byte[] Scratch(int size)
    {
        var scratch = _scratch;
        if (scratch is null || scratch.Length < size) _scratch = scratch = new byte[Math.Max(size, 4096)];
        return scratch;
    }
}
