namespace Fulcrum.Dns; internal static class Placeholder {}
