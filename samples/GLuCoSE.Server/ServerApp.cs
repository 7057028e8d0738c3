using GLuCoSE.Server.Embedding;
using GLuCoSE.Server.Http;
using GLuCoSE.Server.Model;
using GLuCoSE.Server.OpenAI;
using GLuCoSE.Server.Tei;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GLuCoSE.Server;

/// <summary>Builds the server: configuration, services, the request pipeline and the endpoints.</summary>
internal static class ServerApp
{
    // The CLI's switches, as keys of the configuration (--Glucose:Limits:MaxInputsPerRequest 16 works too).
    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--model"] = "Glucose:Model",
        ["--source"] = "Glucose:Source",
        ["--onnx-url"] = "Glucose:OnnxUrl",
        ["--onnx"] = "Glucose:Embedder:ModelFileName",
        ["--precision"] = "Glucose:Precision",
        ["--threads"] = "Glucose:Embedder:IntraOpNumThreads",
        ["--batch-size"] = "Glucose:Embedder:BatchSize",
        ["--max-length"] = "Glucose:Embedder:MaxSequenceLength",
    };

    /// <summary>
    /// The builder with the configuration in order of precedence, lowest first: appsettings.json (beside the app),
    /// appsettings.{Environment}.json, environment variables (<c>Glucose__Model</c>), <c>GLUCOSE_MODEL</c> and
    /// <c>GLUCOSE_API_KEY</c>, then the command line (<c>--model DIR</c>, <c>--Glucose:Model DIR</c>).
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        // appsettings.json is read from beside the app, wherever it is started from; relative paths in the settings
        // (--model DIR) stay relative to the working directory.
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var shortVariables = new Dictionary<string, string?>(StringComparer.Ordinal);
        AddVariable(shortVariables, "GLUCOSE_MODEL", "Glucose:Model");
        AddVariable(shortVariables, "GLUCOSE_API_KEY", "Glucose:ApiKey");
        builder.Configuration.AddInMemoryCollection(shortVariables);
        builder.Configuration.AddCommandLine(args, SwitchMappings);
        return builder;
    }

    /// <summary>Builds the application from <see cref="CreateBuilder"/>'s builder (whose services a test may have changed).</summary>
    /// <exception cref="ServerConfigurationException">A setting is out of range or contradicts another.</exception>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        IConfigurationSection section = builder.Configuration.GetSection(ServerOptions.Section);
        ServerOptions options;
        try
        {
            options = section.Get<ServerOptions>() ?? new ServerOptions();
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key and the value it could not convert.
            throw new ServerConfigurationException($"{section.Path}: {ex.Message}", ex);
        }

        options.Validate();
        GlucoseEmbedderOptions embedderOptions = EmbedderOptions(section.GetSection("Embedder"));
        ServerLimits limits = options.Limits;

        // Encode blocks its thread while the model runs; each request in flight holds one, so the pool starts with
        // enough of them instead of adding threads slowly under a burst.
        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, limits.MaxConcurrentRequests + Environment.ProcessorCount), completionPorts);

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new EmbedderHost(embedderOptions));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ServerMetrics>();
        builder.Services.AddSingleton<EmbeddingService>();
        builder.Services.TryAddSingleton<IEmbedderFactory, ConfiguredEmbedderFactory>();   // unless a test brought its own
        builder.Services.AddHostedService<ModelLoader>();
        builder.Services.AddSingleton<EmbeddingQueue>();

        WebApplication app = builder.Build();
        app.UseMiddleware<MetricsMiddleware>();
        app.UseMiddleware<ApiErrorMiddleware>();
        app.UseMiddleware<ApiKeyMiddleware>();
        app.MapGet(HealthEndpoint.Route, HealthEndpoint.Handle);
        app.MapGet(InfoEndpoint.Route, InfoEndpoint.HandleAsync);
        app.MapPost(EmbeddingsEndpoint.Route, EmbeddingsEndpoint.HandleAsync).AddEndpointFilter<EmbeddingQueueFilter>();
        app.MapPost(EmbedEndpoint.Route, EmbedEndpoint.HandleAsync).AddEndpointFilter<EmbeddingQueueFilter>();
        return app;
    }

    /// <summary>
    /// <see cref="GlucoseEmbedderOptions"/> bound from <c>Glucose:Embedder</c>. Normalization is chosen per request
    /// (always for OpenAI, <c>normalize</c> for TEI), so the embedder itself never normalizes.
    /// </summary>
    private static GlucoseEmbedderOptions EmbedderOptions(IConfigurationSection section)
    {
        var embedderOptions = new GlucoseEmbedderOptions();
        try
        {
            section.Bind(embedderOptions);
        }
        catch (InvalidOperationException ex)
        {
            throw new ServerConfigurationException($"{section.Path}: {ex.Message}", ex);
        }

        if (embedderOptions.NormalizeEmbeddings)
        {
            throw new ServerConfigurationException(
                $"{section.Path}:NormalizeEmbeddings is not a server setting: OpenAI's endpoint always returns unit vectors and TEI's takes 'normalize' per request.");
        }

        return embedderOptions;
    }

    private static void AddVariable(Dictionary<string, string?> values, string variable, string key)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
        {
            values[key] = value;
        }
    }
}
