using FiberProduct.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
return Cli.Run(args, Console.Out, Console.Error, interactive: !Console.IsErrorRedirected, cancel.Token);
