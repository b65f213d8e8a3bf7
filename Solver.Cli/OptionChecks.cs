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
}
