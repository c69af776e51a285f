namespace Fulcrum.L7.Filters;

/// <summary>What a filter's request-head hook decided.</summary>
internal enum FilterResult
{
    /// <summary>Go on to the next filter, and in the end the backend.</summary>
    Continue,
    /// <summary>
    /// The filter answered (it set the status, headers and <see cref="Exchange.Answer"/>): the later filters and the
    /// backend are skipped, and the answer goes back through the response hooks of the filters before it.
    /// </summary>
    Answered,
}
