namespace Fulcrum.Core.Configuration;

/// <summary>One piece of a <see cref="ValueTemplate"/>: text, a variable, or a regex capture by number or name.</summary>
/// <param name="Value">The text, the variable's name, or the capture's name (its number written out for a numbered one).</param>
/// <param name="Number">A numbered capture's number.</param>
public sealed record TemplatePart(TemplatePartKind Kind, string Value, int Number)
{
    public static TemplatePart Text(string text) => new(TemplatePartKind.Literal, text, 0);
}
