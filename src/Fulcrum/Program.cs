using Fulcrum.Commands;
using Fulcrum.Hosting;

namespace Fulcrum;

public static class Program
{
    public static Task<int> Main(string[] args)
    {
        EventLoopIo.Configure();
        return FulcrumCli.InvokeAsync(args);
    }
}
