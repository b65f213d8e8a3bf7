using System.CommandLine;
using System.CommandLine.Parsing;

namespace Dcdm.Cli;

/// <summary>Range validators for typed options. A value that did not parse is reported by the parser itself, not here.</summary>
public static class OptionChecks
{
    public static Option<T> Require<T>(this Option<T> option, Func<T, bool> valid, string expectation)
    {
        option.Validators.Add(result =>
        {
            T value;
            try { value = result.GetValueOrDefault<T>(); }
            catch (InvalidOperationException) { return; } // conversion error, already reported
            if (!valid(value)) result.AddError($"{option.Name} {value}: {expectation}");
        });
        return option;
    }

    public static Option<int> AtLeast(this Option<int> option, int min) => option.Require(v => v >= min, $"must be >= {min}");

    public static Option<int> Between(this Option<int> option, int min, int max) =>
        option.Require(v => v >= min && v <= max, $"must be between {min} and {max}");
}
