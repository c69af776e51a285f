namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>A header field in an HPACK table; its size counts each octet of name and value plus 32 (RFC 7541 section 4.1).</summary>
internal readonly record struct HpackEntry(string Name, string Value)
{
    public int Size => Name.Length + Value.Length + 32;
}
