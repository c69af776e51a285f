namespace Fulcrum.L7.Exchange;

/// <summary>
/// Something a response-body filter put over <see cref="HttpExchange.ResponseBody"/> that must finish when the body
/// has been written: an encoder writes its last block and trailer, a cache commits what it kept. Registered with
/// <see cref="HttpExchange.OnResponseBodyEnd"/>; run outermost first, once the route's answer or the backend's body is through.
/// </summary>
internal interface IResponseBodyEnd
{
    /// <param name="completed">
    /// True when the whole body went through; false when it broke off (the backend died, the client left): then write
    /// nothing more, only let go of what is held.
    /// </param>
    ValueTask EndAsync(HttpExchange exchange, bool completed);
}
