using BenchmarkDotNet.Running;
using FiberProduct.Benchmarks;

// Two ways in: a one-line command mode that times one operation on given inputs (to run beside a peer in
// one script, see docs/performance.md), and the BenchmarkDotNet suites for everything else.
return args.Length > 0 && CommandMode.Commands.TryGetValue(args[0], out var command)
    ? command(args[1..])
    : RunSuites(args);

static int RunSuites(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(CommandMode).Assembly).Run(args);
    return 0;
}
