using Spectre.Console;

namespace FiberProduct.Cli;

/// <summary>
/// A progress bar with the time left on the error stream while a long step runs, when that stream is a terminal;
/// otherwise (pipes, logs, tests) nothing is drawn and the step just runs.
/// </summary>
internal sealed class ProgressDisplay(TextWriter error, bool interactive)
{
    public T Run<T>(string description, Func<IProgress<double>?, T> step)
    {
        if (!interactive) return step(null);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        return console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(description, maxValue: 1);
                var result = step(new TaskProgress(task));
                task.Value = 1;
                return result;
            });
    }

    private sealed class TaskProgress(ProgressTask task) : IProgress<double>
    {
        public void Report(double value) => task.Value = value;
    }
}
