using GLuCoSE.Server;

// glucose-server: OpenAI's and text-embeddings-inference's embedding APIs over one shared GlucoseEmbedder.
// Usage: dotnet run --project samples/GLuCoSE.Server -- [--model DIR] [--urls http://127.0.0.1:8080]; docs/server.md.
WebApplication app;
try
{
    app = ServerApp.Build(ServerApp.CreateBuilder(args));
}
catch (ServerConfigurationException ex)
{
    await Console.Error.WriteLineAsync($"glucose-server: {ex.Message}");
    return 2;
}

await app.RunAsync();
return Environment.ExitCode;
