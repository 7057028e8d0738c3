using System.Net;
using System.Text.Json;
using GLuCoSE.Server.Model;
using GLuCoSE.Server.Tests.Infrastructure;
using GLuCoSE.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace GLuCoSE.Server.Tests;

/// <summary>The port opens before the model is loaded; until then /health and the APIs answer 503.</summary>
public sealed class ModelLoadingTests
{
    [Fact]
    public async Task Endpoints_BeforeModelLoaded_503ThenServed()
    {
        var factory = new GatedEmbedderFactory();
        await using RunningServer server = await RunningServer.StartAsync(
            configureServices: services => services.AddSingleton<IEmbedderFactory>(factory), waitForModel: false);

        using (HttpResponseMessage health = await server.Client.GetAsync("health", TestContext.Current.CancellationToken))
        {
            JsonElement body = await Responses.JsonAsync(health, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("loading", body.GetProperty("status").GetString());
        }

        using (HttpResponseMessage openAI = await server.PostJsonAsync("v1/embeddings", """{"input": "a"}"""))
        {
            Assert.Equal(TimeSpan.FromSeconds(1), openAI.Headers.RetryAfter?.Delta);
            Assert.Contains("still loading", await Responses.OpenAIErrorAsync(openAI, HttpStatusCode.ServiceUnavailable), StringComparison.Ordinal);
        }

        await Responses.TeiErrorAsync(await server.PostJsonAsync("embed", """{"inputs": "a"}"""), HttpStatusCode.ServiceUnavailable, "unhealthy");
        await Responses.TeiErrorAsync(await server.Client.GetAsync("info", TestContext.Current.CancellationToken), HttpStatusCode.ServiceUnavailable, "unhealthy");

        factory.Open();
        await server.WaitForHealthyAsync();
        using HttpResponseMessage served = await server.PostJsonAsync("v1/embeddings", """{"input": "a"}""");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Start_SourceFolderWithoutModel_LoadsThroughCreateAsync()
    {
        await using RunningServer server = await RunningServer.StartAsync(["--source", TestPaths.TinyModel], withModel: false);

        JsonElement info = await Responses.JsonAsync(await server.Client.GetAsync("info", TestContext.Current.CancellationToken), HttpStatusCode.OK);

        Assert.Equal("tiny-random-luke", info.GetProperty("model_id").GetString());
    }

    [Fact]
    public async Task Start_ShortSwitches_SetTheEmbedderOptions()
    {
        await using RunningServer server = await RunningServer.StartAsync(["--max-length", "16", "--batch-size", "7", "--threads", "1"]);

        JsonElement info = await Responses.JsonAsync(await server.Client.GetAsync("info", TestContext.Current.CancellationToken), HttpStatusCode.OK);
        string message = await Responses.TeiErrorAsync(
            await server.PostJsonAsync("embed", JsonSerializer.Serialize(new { inputs = Infrastructure.Sentences.OverLong, truncate = false })),
            HttpStatusCode.BadRequest,
            "validation");

        Assert.Equal(16, info.GetProperty("max_input_length").GetInt32());
        Assert.Equal(7, info.GetProperty("max_batch_requests").GetInt32());
        Assert.Equal(1, server.Services.GetRequiredService<EmbedderHost>().Options.IntraOpNumThreads);
        Assert.Contains("16 tokens", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PrecisionInt8_MakesTheInt8GraphInTheModelFolderAndServesIt()
    {
        string folder = Path.Combine(Path.GetTempPath(), "glucose-server-int8-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            foreach (string name in new[] { "model.onnx", "sentencepiece.bpe.model", "config.json", "sentence_bert_config.json" })
            {
                File.Copy(Path.Combine(TestPaths.TinyModel, name), Path.Combine(folder, name));
            }

            await using (RunningServer server = await RunningServer.StartAsync(["--model", folder, "--precision", "Int8"], withModel: false))
            {
                using HttpResponseMessage response = await server.Client.PostAsync(
                    "v1/embeddings", new StringContent("{\"input\":\"今日は晴れです。\",\"encoding_format\":\"float\"}", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
                Assert.Equal(32, Responses.FloatVectors(await Responses.JsonAsync(response, HttpStatusCode.OK))[0].Length);
                using HttpResponseMessage info = await server.Client.GetAsync("info", TestContext.Current.CancellationToken);
                Assert.Equal("int8", (await Responses.JsonAsync(info, HttpStatusCode.OK)).GetProperty("model_dtype").GetString());
            }

            Assert.True(File.Exists(Path.Combine(folder, "model_int8.onnx")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Start_UnknownPrecision_ConfigurationError()
    {
        var error = Assert.Throws<ServerConfigurationException>(() => ServerApp.Build(ServerApp.CreateBuilder(["--model", TestPaths.TinyModel, "--precision", "Int4"])));

        Assert.Contains("Glucose:Precision", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ModelAndSource_ConfigurationError()
    {
        var error = await Assert.ThrowsAsync<ServerConfigurationException>(() => RunningServer.StartAsync(["--source", "owner/name"]));

        Assert.Contains("Glucose:Model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NormalizeEmbeddingsSetting_ConfigurationErrorSayingItIsPerRequest()
    {
        var error = await Assert.ThrowsAsync<ServerConfigurationException>(() => RunningServer.StartAsync(["--Glucose:Embedder:NormalizeEmbeddings", "true"]));

        Assert.Contains("per request", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_EmbedderGone_500WithoutInternals()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        server.Services.GetRequiredService<EmbedderHost>().Embedder!.Dispose();

        string message = await Responses.OpenAIErrorAsync(await server.PostJsonAsync("v1/embeddings", """{"input": "a"}"""), HttpStatusCode.InternalServerError);
        string teiMessage = await Responses.TeiErrorAsync(await server.PostJsonAsync("embed", """{"inputs": ["a", "b"]}"""), HttpStatusCode.InternalServerError, "backend");

        Assert.DoesNotContain("GlucoseEmbedder", message, StringComparison.Ordinal);
        Assert.DoesNotContain("GlucoseEmbedder", teiMessage, StringComparison.Ordinal);
        using HttpResponseMessage health = await server.Client.GetAsync("health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
