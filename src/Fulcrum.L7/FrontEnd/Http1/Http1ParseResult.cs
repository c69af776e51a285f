namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>What <see cref="Http1HeadParser"/> made of the bytes so far.</summary>
internal enum Http1ParseStatus
{
    /// <summary>No complete head yet and no rule broken: read more.</summary>
    Incomplete,
    /// <summary>A whole head, <see cref="Http1ParseResult.Consumed"/> bytes long, is in the <see cref="Http1RequestHead"/>.</summary>
    Done,
    /// <summary>The head breaks a rule: answer <see cref="Http1ParseResult.RefuseStatus"/> and close.</summary>
    Refused,
}

/// <summary>The parser's verdict: how far it got, or which status refuses the request and why (the answer's body).</summary>
internal readonly record struct Http1ParseResult(Http1ParseStatus Status, int Consumed, int RefuseStatus, string? Reason)
{
    public static readonly Http1ParseResult Incomplete = new(Http1ParseStatus.Incomplete, 0, 0, null);

    public static Http1ParseResult Done(int consumed) => new(Http1ParseStatus.Done, consumed, 0, null);

    public static Http1ParseResult Refuse(int status, string reason) => new(Http1ParseStatus.Refused, 0, status, reason);
}
