namespace Fulcrum.L7.Filters;

/// <summary>Where a rendered value goes, which decides what of a variable's text must be percent-encoded.</summary>
internal enum TemplateTarget
{
    /// <summary>A header value: control characters and non-ASCII are encoded, so no value can end its line.</summary>
    Header,
    /// <summary>A Location URL: as a header, and also spaces and the characters RFC 3986 never allows.</summary>
    Location,
    /// <summary>A decoded path for the backend: kept as is, since the request line encodes it.</summary>
    Path,
}
