namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>SETTINGS parameters (RFC 9113 section 6.5.2); unknown ones are ignored.</summary>
internal enum Http2SettingId : ushort
{
    HeaderTableSize = 0x1,
    EnablePush = 0x2,
    MaxConcurrentStreams = 0x3,
    InitialWindowSize = 0x4,
    MaxFrameSize = 0x5,
    MaxHeaderListSize = 0x6,
    /// <summary>RFC 8441 section 3: the server accepts extended CONNECT (`:protocol`), which carries WebSockets.</summary>
    EnableConnectProtocol = 0x8,
}
