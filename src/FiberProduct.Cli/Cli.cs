using FiberProduct.Fiber;

namespace FiberProduct.Cli;

/// <summary>The entry point: dispatches the command, prints help, and maps failures to exit statuses.</summary>
internal static class Cli
{
    public const int Success = 0, InvalidInput = 1, Usage = 2, BudgetExceeded = 3, Cancelled = 130;

    private static readonly Dictionary<string, Action<CommandLine, Context>> Commands = new(StringComparer.Ordinal)
    {
        ["count"] = FiberProduct.Cli.Commands.Count,
        ["join"] = FiberProduct.Cli.Commands.Join,
        ["profile"] = FiberProduct.Cli.Commands.Profile,
        ["decompose"] = FiberProduct.Cli.Commands.Decompose,
        ["report"] = FiberProduct.Cli.Commands.Report,
    };

    public static int Run(string[] args, TextWriter output, TextWriter error, bool interactive = false,
        CancellationToken cancellationToken = default)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help" && args.Length == 1)
        {
            output.WriteLine(Help.Pages["fiberproduct"]);
            return args.Length == 0 ? Usage : Success;
        }
        if (args[0] == "help") args = [args[1], "--help"];
        if (args[0] == "--version")
        {
            output.WriteLine(typeof(Cli).Assembly.GetName().Version);
            return Success;
        }
        try
        {
            if (!Commands.TryGetValue(args[0], out var command))
                throw new UsageException(
                    $"Unknown command '{args[0]}'; the commands are {string.Join(", ", Commands.Keys)}.");
            var line = CommandLine.Parse(args[0], args.Skip(1), FiberProduct.Cli.Commands.Flags);
            if (line.Flag("help"))
            {
                output.WriteLine(Help.Pages[args[0]]);
                return Success;
            }
            command(line, new Context(output, new ProgressDisplay(error, interactive), cancellationToken));
            return Success;
        }
        catch (UsageException e) { return Fail(error, e.Message, Usage); }
        catch (OperationCanceledException) { return Fail(error, "Cancelled.", Cancelled); }
        catch (ResultBudgetExceededException e) { return Fail(error, e.Message, BudgetExceeded); }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException
            or UnauthorizedAccessException)
        {
            return Fail(error, e.Message, InvalidInput);
        }
    }

    private static int Fail(TextWriter error, string message, int status)
    {
        error.WriteLine($"fiberproduct: {message}");
        return status;
    }
}
