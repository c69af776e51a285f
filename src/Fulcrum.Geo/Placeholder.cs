namespace Fulcrum.Geo; internal static class Placeholder {}
