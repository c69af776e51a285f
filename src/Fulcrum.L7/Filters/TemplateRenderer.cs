using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Filters;

/// <summary>
/// Fills a <see cref="ValueTemplate"/> for one request: header values, `rewrite.to` and `redirect.to` with variables
/// (docs/routing.md, "Variables"). The parts written in the config pass as written; what a variable brings in comes from
/// the client and is made safe for where it goes (<see cref="TemplateTarget"/>): a capture of `%0d%0a` from a decoded
/// path must not become a header line of its own (response splitting, CWE-113), nor a space break a Location.
/// </summary>
internal sealed class TemplateRenderer
{
    private readonly TemplatePart[] _parts;
    private readonly Regex? _captures;
    private readonly TemplateTarget _target;

    private TemplateRenderer(TemplatePart[] parts, Regex? captures, TemplateTarget target)
    {
        _parts = parts;
        _captures = captures;
        _target = target;
    }

    /// <summary>
    /// The renderer of <paramref name="text"/>, or null when it has no variables (the text is then used as it is).
    /// <paramref name="captures"/> is the regex whose match on the client's path fills `${1}` and `${name}`.
    /// </summary>
    public static TemplateRenderer? For(string text, Regex? captures, TemplateTarget target)
    {
        var template = ValueTemplate.Parse(text, out _);
        return template is { HasVariables: true } ? For(template, captures, target) : null;
    }

    public static TemplateRenderer For(ValueTemplate template, Regex? captures, TemplateTarget target) => new([.. template.Parts], captures, target);

    /// <summary>The value for this request; <paramref name="match"/> overrides the captures (a rewrite's own match).</summary>
    public string Render(HttpExchange exchange, Match? match = null)
    {
        var text = new StringBuilder(64);
        foreach (var part in _parts)
        {
            switch (part.Kind)
            {
                case TemplatePartKind.Literal:
                    text.Append(part.Value);
                    break;
                case TemplatePartKind.Variable:
                    AppendSafe(text, Variable(exchange, part.Value));
                    break;
                default:
                    match ??= _captures is null ? null : exchange.Captures(_captures);
                    var group = match is not { Success: true } ? null
                        : part.Kind == TemplatePartKind.CaptureNumber ? match.Groups[part.Number] : match.Groups[part.Value];
                    if (group is { Success: true }) AppendSafe(text, group.Value);
                    break;
            }
        }

        return text.ToString();
    }

    private static string? Variable(HttpExchange exchange, string name) => name switch
    {
        "client_ip" => exchange.ClientAddress?.ToString(),
        "client_port" => exchange.ClientPort.ToString(CultureInfo.InvariantCulture),
        "request_id" => exchange.Record.RequestId ?? exchange.RequestHeaders[RequestIdFilter.HeaderName].ToString(),
        "host" => exchange.Host.Host,
        "scheme" => exchange.Scheme,
        "method" => exchange.Method,
        "path" => exchange.Path.Value,
        "query" => exchange.Query.HasValue ? exchange.Query.Value![1..] : "",
        _ => null,
    };

    private void AppendSafe(StringBuilder text, string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        if (_target == TemplateTarget.Path)
        {
            text.Append(value); // a decoded path: the backend leg encodes it when it writes the request line
            return;
        }

        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            var c = rune.Value;
            var unsafeHere = c < 0x20 || c == 0x7F || c > 0x7E
                || (_target == TemplateTarget.Location && (c is ' ' or '"' or '<' or '>' or '\\' or '^' or '`' or '{' or '|' or '}'));
            if (!unsafeHere)
            {
                text.Append((char)c);
                continue;
            }

            var length = rune.EncodeToUtf8(bytes);
            foreach (var b in bytes[..length]) text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
    }
}
