using Fulcrum.Commands;

namespace Fulcrum;

public static class Program
{
    public static Task<int> Main(string[] args) => FulcrumCli.InvokeAsync(args);
}
