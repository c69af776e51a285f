using System.Collections.Immutable;
using System.Globalization;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// A value with variables in it, as `transforms` header values, `rewrite.to` and `redirect.to` take them (docs/routing.md,
/// "Variables"): `${client_ip}`, `${request_id}`, `${host}`, `${scheme}`, `${method}`, `${path}`, `${query}`,
/// `${client_port}`, and a regex's captures by number (`${1}`) or name (`${id}`). The `${...}` form is nginx's and the
/// shell's, so a reader knows it at sight; `$${` writes a literal `${`. Any other `$` is itself.
/// </summary>
public sealed record ValueTemplate
{
    /// <summary>The variable names Fulcrum fills itself; any other name is a regex capture's.</summary>
    public static readonly ImmutableArray<string> Variables =
        ["client_ip", "client_port", "request_id", "host", "scheme", "method", "path", "query"];

    private ValueTemplate(string text, ImmutableArray<TemplatePart> parts)
    {
        Text = text;
        Parts = parts;
    }

    /// <summary>The value as written.</summary>
    public string Text { get; }

    public ImmutableArray<TemplatePart> Parts { get; }

    /// <summary>True when the value has a variable in it; false for plain text, which costs nothing to use.</summary>
    public bool HasVariables => Parts.Any(static p => p.Kind != TemplatePartKind.Literal);

    /// <summary>The value as it reads without variables: the text with each `$${` made `${`.</summary>
    public string Plain => string.Concat(Parts.Where(static p => p.Kind == TemplatePartKind.Literal).Select(static p => p.Value));

    /// <summary>The regex captures the value names, by number or by name.</summary>
    public IEnumerable<TemplatePart> Captures => Parts.Where(static p => p.Kind is TemplatePartKind.CaptureNumber or TemplatePartKind.CaptureName);

    /// <summary>Reads <paramref name="text"/>; null with <paramref name="error"/> when a `${` is not closed or names nothing.</summary>
    public static ValueTemplate? Parse(string text, out string? error)
    {
        error = null;
        var parts = ImmutableArray.CreateBuilder<TemplatePart>();
        var literal = new System.Text.StringBuilder();
        var at = 0;
        while (at < text.Length)
        {
            var open = text.IndexOf("${", at, StringComparison.Ordinal);
            if (open < 0)
            {
                literal.Append(text, at, text.Length - at);
                break;
            }

            if (open > 0 && text[open - 1] == '$')
            {
                // `$${` is a literal `${`: the first `$` escapes the second.
                literal.Append(text, at, open - 1 - at).Append("${");
                at = open + 2;
                continue;
            }

            literal.Append(text, at, open - at);
            var close = text.IndexOf('}', open + 2);
            if (close < 0)
            {
                error = $"'${{' at column {open + 1} of '{text}' is not closed with '}}' (write '$${{' for a literal '${{')";
                return null;
            }

            var name = text[(open + 2)..close];
            if (Variable(name) is not { } part)
            {
                error = $"'${{{name}}}' in '{text}' is not a variable; variables are {string.Join(", ", Variables.Select(static v => "${" + v + "}"))} and regex captures like ${{1}} or ${{name}}";
                return null;
            }

            if (literal.Length > 0) parts.Add(TemplatePart.Text(literal.ToString()));
            literal.Clear();
            parts.Add(part);
            at = close + 1;
        }

        if (literal.Length > 0) parts.Add(TemplatePart.Text(literal.ToString()));
        return new ValueTemplate(text, parts.ToImmutable());
    }

    /// <summary>A template of plain text, for values read before templates existed.</summary>
    public static ValueTemplate Literal(string text) => new(text, text.Length == 0 ? [] : [TemplatePart.Text(text)]);

    private static TemplatePart? Variable(string name)
    {
        if (name.Length == 0) return null;
        if (Variables.Contains(name)) return new TemplatePart(TemplatePartKind.Variable, name, 0);
        if (name.All(char.IsAsciiDigit))
        {
            return int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= 99
                ? new TemplatePart(TemplatePartKind.CaptureNumber, name, number)
                : null;
        }

        var first = name[0];
        var identifier = (char.IsAsciiLetter(first) || first == '_') && name.All(static c => char.IsAsciiLetterOrDigit(c) || c == '_');
        return identifier ? new TemplatePart(TemplatePartKind.CaptureName, name, 0) : null;
    }
}
