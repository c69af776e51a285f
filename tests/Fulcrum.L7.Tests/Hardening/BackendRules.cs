using System.Text;

namespace Fulcrum.L7.Tests.Hardening;

/// <summary>
/// The rule every corpus case shares: whatever the client sent, a backend only ever receives requests with one meaning.
/// Each request head it got must be strict HTTP/1.1 (or 1.0; CRLF line ends, no obs-fold, no bare CR, LF or NUL, token header
/// names with no space before the colon), frame its body one way only (never Content-Length beside Transfer-Encoding,
/// at most one Content-Length), name one Host, and never be a request smuggled inside another's body.
/// </summary>
public static class BackendRules
{
    /// <summary>
    /// How many whole requests one backend connection received (a request whose body was cut short when the client's
    /// broke off never completes, so it does not count), and the problems found in them (none when clean).
    /// </summary>
    public static (int Requests, List<string> Problems) Inspect(byte[] received)
    {
        var problems = Check(received, out var requests).ToList();
        return (requests(), problems);
    }

    private static IEnumerable<string> Check(byte[] received, out Func<int> requests)
    {
        var counter = new int[1];
        requests = () => counter[0];
        return Walk(received, counter);
    }

    private static IEnumerable<string> Walk(byte[] received, int[] counter)
    {
        var text = Encoding.Latin1.GetString(received);
        var at = 0;
        while (at < text.Length)
        {
            var end = text.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
            if (end < 0)
            {
                yield return $"an unfinished head: {Show(text[at..])}";
                yield break;
            }

            var head = text[at..end];
            at = end + 4;
            var problems = CheckHead(head, out var contentLength, out var chunked).ToList();
            foreach (var problem in problems) yield return problem;
            if (problems.Count > 0) yield break;
            if (chunked)
            {
                // Skip the chunked body: size lines in hex, data, CRLF; then trailers.
                while (true)
                {
                    var lineEnd = text.IndexOf("\r\n", at, StringComparison.Ordinal);
                    if (lineEnd < 0) yield break; // cut short: the proxy gave up on this request, which never completes
                    var size = Convert.ToInt64(text[at..lineEnd].Split(';')[0], 16);
                    at = lineEnd + 2;
                    if (size == 0)
                    {
                        var trailerEnd = text.IndexOf("\r\n", at, StringComparison.Ordinal);
                        while (trailerEnd > at)
                        {
                            at = trailerEnd + 2;
                            trailerEnd = text.IndexOf("\r\n", at, StringComparison.Ordinal);
                        }

                        if (at + 2 > text.Length) yield break;
                        at += 2;
                        break;
                    }

                    at += (int)size + 2;
                    if (at > text.Length) yield break;
                }
            }
            else
            {
                at += (int)contentLength;
                if (at > text.Length) yield break;
            }

            counter[0]++;
        }
    }

    private static IEnumerable<string> CheckHead(string head, out long contentLength, out bool chunked)
    {
        contentLength = 0;
        chunked = false;
        var problems = new List<string>();
        if (head.Contains('\0')) problems.Add("a NUL in the head");
        var lines = head.Split("\r\n");
        foreach (var line in lines)
        {
            if (line.Contains('\r') || line.Contains('\n')) problems.Add($"a bare CR or LF in {Show(line)}");
        }

        var requestLine = lines[0].Split(' ');
        // HTTP/1.0 passed on as 1.0 (as HAProxy does) is not ambiguous; it needs no Host.
        var http10 = requestLine.Length == 3 && requestLine[2] == "HTTP/1.0";
        if (requestLine.Length != 3 || requestLine[2] is not ("HTTP/1.1" or "HTTP/1.0") || requestLine[1].Length == 0) problems.Add($"a malformed request line {Show(lines[0])}");
        if (requestLine.Length > 1 && requestLine[1].Contains("smuggled", StringComparison.Ordinal)) problems.Add($"a smuggled request {Show(lines[0])}");
        var lengths = 0;
        var encodings = 0;
        var hosts = 0;
        foreach (var line in lines.Skip(1))
        {
            if (line.Length > 0 && line[0] is ' ' or '\t')
            {
                problems.Add($"obs-fold {Show(line)}");
                continue;
            }

            var colon = line.IndexOf(':');
            if (colon <= 0 || !IsToken(line.AsSpan(0, colon)))
            {
                problems.Add($"a bad header name in {Show(line)}");
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(' ', '\t');
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                lengths++;
                if (!long.TryParse(value, System.Globalization.NumberStyles.None, null, out contentLength)) problems.Add($"a bad Content-Length {Show(value)}");
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                encodings++;
                if (!value.Equals("chunked", StringComparison.OrdinalIgnoreCase)) problems.Add($"a Transfer-Encoding other than chunked: {Show(value)}");
                chunked = true;
            }
            else if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                hosts++;
            }
        }

        if (lengths > 1) problems.Add("more than one Content-Length");
        if (encodings > 1) problems.Add("more than one Transfer-Encoding");
        if (lengths > 0 && encodings > 0) problems.Add("Content-Length beside Transfer-Encoding");
        if (hosts > 1 || (hosts == 0 && !http10)) problems.Add($"{hosts} Host headers");
        return problems;
    }

    // RFC 9110 section 5.6.2: tchar.
    private static bool IsToken(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c))) return false;
        }

        return true;
    }

    private static string Show(string text) => "'" + text.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\t", "\\t").Replace("\0", "\\0") + "'";
}
