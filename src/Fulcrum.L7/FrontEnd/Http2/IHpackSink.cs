namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>Where <see cref="HpackDecoder"/> puts each field of a header block, in order.</summary>
internal interface IHpackSink
{
    void OnHeader(string name, string value);
}
