using System.Globalization;

namespace FiberProduct.Cli;

/// <summary>A command line that does not follow the synopsis: the message names the option or argument and the
/// value.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// One parsed command line: the command, its positional arguments, and its options (<c>--name value</c>,
/// <c>--name=value</c>, or a flag <c>--name</c>). Every option a command does not know is refused, so a typo never
/// silently falls back to a default.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    private CommandLine(string command, List<string> positionals)
    {
        Command = command;
        Positionals = positionals;
    }

    public string Command { get; }

    public IReadOnlyList<string> Positionals { get; }

    /// <summary>Parses the arguments after the command; <paramref name="flagNames"/> are the options that take no
    /// value.</summary>
    public static CommandLine Parse(string command, IEnumerable<string> arguments, IReadOnlySet<string> flagNames)
    {
        var positionals = new List<string>();
        var line = new CommandLine(command, positionals);
        using var e = arguments.GetEnumerator();
        while (e.MoveNext())
        {
            string argument = e.Current;
            if (argument == "--") { while (e.MoveNext()) positionals.Add(e.Current); break; }
            if (!argument.StartsWith("--", StringComparison.Ordinal) || argument.Length == 2)
            {
                positionals.Add(argument);
                continue;
            }
            string name = argument[2..];
            string? value = null;
            int equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0) (name, value) = (name[..equals], name[(equals + 1)..]);
            if (flagNames.Contains(name))
            {
                if (value is not null) throw new UsageException($"--{name} takes no value (got '{value}').");
                line.flags.Add(name);
                continue;
            }
            if (value is null)
            {
                if (!e.MoveNext()) throw new UsageException($"--{name} needs a value.");
                value = e.Current;
            }
            if (!line.values.TryAdd(name, value)) throw new UsageException($"--{name} is given twice.");
        }
        return line;
    }

    public bool Flag(string name)
    {
        read.Add(name);
        return flags.Contains(name);
    }

    public string? Optional(string name)
    {
        read.Add(name);
        return values.GetValueOrDefault(name);
    }

    public string Required(string name) =>
        Optional(name) ?? throw new UsageException($"{Command} needs --{name} (see 'fiberproduct {Command} --help').");

    public double? Double(string name)
    {
        string? text = Optional(name);
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            && !TryInfinity(text, out value))
            throw new UsageException($"--{name} expects a number; got '{text}'.");
        return value;
    }

    public long? Long(string name, long minimum)
    {
        string? text = Optional(name);
        if (text is null) return null;
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) || value < minimum)
            throw new UsageException($"--{name} expects a whole number ≥ {minimum}; got '{text}'.");
        return value;
    }

    public int? Int(string name, int minimum) => Long(name, minimum) is { } value
        ? value <= int.MaxValue ? (int)value : throw new UsageException($"--{name} is too large: {value}.")
        : null;

    /// <summary>A comma-separated list of numbers.</summary>
    public double[]? Doubles(string name)
    {
        string? text = Optional(name);
        if (text is null) return null;
        return text.Split(',', StringSplitOptions.TrimEntries).Select(part =>
            double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
                || TryInfinity(part, out v)
                ? v : throw new UsageException(
                    $"--{name} expects numbers separated by commas; '{part}' is not one.")).ToArray();
    }

    /// <summary>Refuses every option given but never read by the command, and extra positional arguments.</summary>
    public void Finish(int positionals)
    {
        var unknown = values.Keys.Concat(flags).Where(n => !read.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
            throw new UsageException($"{Command} has no option --{unknown[0]} (see 'fiberproduct {Command} --help').");
        if (Positionals.Count > positionals)
            throw new UsageException(
                $"{Command} takes {positionals} file argument(s); got an extra '{Positionals[positionals]}'.");
    }

    private static bool TryInfinity(string text, out double value)
    {
        value = double.PositiveInfinity;
        return text is "inf" or "Infinity" or "+inf" or "∞";
    }
}
