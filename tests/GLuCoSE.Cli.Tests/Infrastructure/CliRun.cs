using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace GLuCoSE.Cli.Tests.Infrastructure;

/// <summary>One in-process run of <c>glucose</c>: its exit code, and what it wrote to stdout and stderr.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(TestContext.Current.CancellationToken, args);

    public static async Task<CliRun> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await Cli.RunAsync(args, output, error, cancellationToken);
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
