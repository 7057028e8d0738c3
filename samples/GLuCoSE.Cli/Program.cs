using System.Text;
using GLuCoSE.Cli;

// glucose: a command-line front end for the GLuCoSE library.
Console.OutputEncoding = Encoding.UTF8;
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The command stops at its next cancellation check and cleans up (an encode removes its .partial file); the
    // process then exits with 130.
    e.Cancel = true;
    cancellation.Cancel();
};

return await Cli.RunAsync(args, cancellation.Token);
