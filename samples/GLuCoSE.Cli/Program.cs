using System.Text;
using GLuCoSE.Cli;

// glucose: a command-line front end for the GLuCoSE library.
Console.OutputEncoding = Encoding.UTF8;
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await Cli.RunAsync(args, cancellation.Token);
