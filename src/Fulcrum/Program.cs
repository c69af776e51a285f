namespace Fulcrum;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("fulcrum: not wired yet");
        return 1;
    }
}
