namespace Fulcrum.Core.Configuration;

/// <summary>What a <see cref="TemplatePart"/> is.</summary>
public enum TemplatePartKind
{
    Literal,
    Variable,
    CaptureNumber,
    CaptureName,
}
