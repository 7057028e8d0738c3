using System.Net;
using System.Text;
using GLuCoSE.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace GLuCoSE.Server.Tests.Infrastructure;

/// <summary>
/// The server on a real Kestrel socket at 127.0.0.1 (a free port), in this process, on the tiny model; extra
/// settings go in as command-line arguments, and a test may swap services before the app is built.
/// </summary>
internal sealed class RunningServer : IAsyncDisposable
{
    /// <summary>How long a test waits for what must happen before it calls it a hang (not a speed requirement).</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private readonly WebApplication _app;

    private RunningServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = HangGuard };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server; with <paramref name="waitForModel"/>, returns once /health answers 200.</summary>
    public static async Task<RunningServer> StartAsync(
        IEnumerable<string>? settings = null,
        Action<IServiceCollection>? configureServices = null,
        bool waitForModel = true,
        bool withModel = true)
    {
        var args = new List<string> { "--urls", "http://127.0.0.1:0" };
        if (withModel)
        {
            args.AddRange(["--model", TestPaths.TinyModel]);
        }

        args.AddRange(settings ?? []);
        WebApplicationBuilder builder = ServerApp.CreateBuilder([.. args]);
        builder.Logging.ClearProviders();
        configureServices?.Invoke(builder.Services);
        WebApplication app = ServerApp.Build(builder);
        await app.StartAsync(TestContext.Current.CancellationToken);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var server = new RunningServer(app, new Uri(address + "/"));
        if (waitForModel)
        {
            await server.WaitForHealthyAsync();
        }

        return server;
    }

    public async Task WaitForHealthyAsync()
    {
        using var deadline = new CancellationTokenSource(HangGuard);
        while (true)
        {
            using HttpResponseMessage response = await Client.GetAsync("health", deadline.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            await Task.Delay(20, deadline.Token);
        }
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    public Task<HttpResponseMessage> PostBytesAsync(string path, byte[] body) =>
        Client.PostAsync(path, new ByteArrayContent(body), TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
