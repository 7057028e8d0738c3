using GLuCoSE.Server.Model;

namespace GLuCoSE.Server;

/// <summary><c>GET /health</c>: 200 once the model is loaded, 503 before; never asks for the API key.</summary>
internal static class HealthEndpoint
{
    public const string Route = "/health";

    public static IResult Handle(EmbedderHost host) => host.Embedder is null
        ? Results.Json(new HealthStatus("loading"), HealthJsonContext.Default.HealthStatus, statusCode: StatusCodes.Status503ServiceUnavailable)
        : Results.Json(new HealthStatus("ok"), HealthJsonContext.Default.HealthStatus);
}
