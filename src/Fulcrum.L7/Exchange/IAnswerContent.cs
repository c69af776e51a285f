namespace Fulcrum.L7.Exchange;

/// <summary>
/// The body of an answer the balancer gives itself that is not a buffer in memory (a file from a `static` route):
/// written after the response hooks ran, through whatever streams they put over the body, and never for HEAD.
/// </summary>
internal interface IAnswerContent
{
    ValueTask WriteToAsync(Stream body, CancellationToken aborted);
}
