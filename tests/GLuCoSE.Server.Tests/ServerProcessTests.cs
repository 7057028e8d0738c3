using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using GLuCoSE.Server.Tests.Infrastructure;
using GLuCoSE.Tests.Infrastructure;

namespace GLuCoSE.Server.Tests;

/// <summary>
/// The server in its own process: configured through GLUCOSE_MODEL and GLUCOSE_API_KEY, stopped by SIGTERM or SIGINT
/// with a request in flight, failing to load, misconfigured.
/// </summary>
public sealed class ServerProcessTests
{
    private const string Key = "process-test-key-42";

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Signal_RequestInFlight_RequestCompletesAndServerExits0(string signal)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "POSIX signals");
        // Kestrel's debug log says when a request's body is being read: then the request is in the application's hands.
        await using ServerProcess server = ServerProcess.Start(
            [],
            new Dictionary<string, string>
            {
                ["GLUCOSE_MODEL"] = TestPaths.TinyModel,
                ["Logging__LogLevel__Microsoft.AspNetCore.Server.Kestrel"] = "Debug",
            });
        using var client = new HttpClient { BaseAddress = await server.ListeningAsync(), Timeout = RunningServer.HangGuard };
        await WaitForHealthyAsync(client);
        using HeldRequest held = await HeldRequest.HoldAsync(
            client, "v1/embeddings", """{"input": ["止まる前に", "届いた文"]}""", () => server.WaitForOutputAsync("started reading request body"));

        server.Signal(signal);
        await server.WaitForOutputAsync("Application is shutting down...");
        held.Release();

        using HttpResponseMessage response = await held.Response.WaitAsync(RunningServer.HangGuard, TestContext.Current.CancellationToken);
        JsonElement body = await Responses.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(2, body.GetProperty("data").GetArrayLength());
        int exitCode = await server.ExitCodeAsync();
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{server.Output}");
    }

    [Fact]
    public async Task Start_ApiKeyFromEnvironment_RequiredAndNeverLogged()
    {
        await using ServerProcess server = ServerProcess.Start(
            [],
            new Dictionary<string, string>
            {
                ["GLUCOSE_MODEL"] = TestPaths.TinyModel,
                ["GLUCOSE_API_KEY"] = Key,
                ["Logging__LogLevel__Default"] = "Trace",
            });
        using var client = new HttpClient { BaseAddress = await server.ListeningAsync(), Timeout = RunningServer.HangGuard };
        await WaitForHealthyAsync(client);

        using HttpResponseMessage withoutKey = await client.PostAsync("v1/embeddings", Json("""{"input": "a"}"""), TestContext.Current.CancellationToken);
        using var withWrongKey = new HttpRequestMessage(HttpMethod.Post, "embed") { Content = Json("""{"inputs": "a"}""") };
        withWrongKey.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key + "x");
        using HttpResponseMessage wrong = await client.SendAsync(withWrongKey, TestContext.Current.CancellationToken);
        using var withKey = new HttpRequestMessage(HttpMethod.Post, "embed") { Content = Json("""{"inputs": "a"}""") };
        withKey.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        using HttpResponseMessage right = await client.SendAsync(withKey, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        server.Signal("TERM");
        Assert.Equal(0, await server.ExitCodeAsync());
        Assert.Contains("refused with 401", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_OfflineWithEmptyCacheAndNoModel_LogsHowToGetTheModelAndExits1()
    {
        string cache = Path.Combine(Path.GetTempPath(), "glucose-server-tests-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using ServerProcess server = ServerProcess.Start(
                [],
                new Dictionary<string, string> { ["HF_HUB_OFFLINE"] = "1", ["GLUCOSE_CACHE"] = cache });

            int exitCode = await server.ExitCodeAsync();
            Assert.True(exitCode == 1, $"exit code {exitCode}:\n{server.Output}");
            Assert.Contains("The model could not be loaded", server.Output, StringComparison.Ordinal);
            Assert.Contains("download --source pkshatech/GLuCoSE-base-ja@", server.Output, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(cache))
            {
                Directory.Delete(cache, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Start_LimitOutOfRange_SaysWhichAndExits2()
    {
        await using ServerProcess server = ServerProcess.Start(["--model", TestPaths.TinyModel, "--Glucose:Limits:MaxInputsPerRequest", "0"]);

        int exitCode = await server.ExitCodeAsync();
        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{server.Output}");
        Assert.Contains("glucose-server: Glucose:Limits:MaxInputsPerRequest must be at least 1; got 0.", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static async Task WaitForHealthyAsync(HttpClient client)
    {
        using var deadline = new CancellationTokenSource(RunningServer.HangGuard);
        while (true)
        {
            using HttpResponseMessage response = await client.GetAsync("health", deadline.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            await Task.Delay(20, deadline.Token);
        }
    }
}
