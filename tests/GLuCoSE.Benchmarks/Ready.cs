namespace GLuCoSE.Benchmarks;

/// <summary>Embedders for measuring: Create, then wait for the micro-batch lanes' session, which opens in the background.</summary>
internal static class Ready
{
    public static GlucoseEmbedder Create(string model, GlucoseEmbedderOptions? options = null)
    {
        GlucoseEmbedder embedder = GlucoseEmbedder.Create(model, options);
        embedder.LanesOpened.Wait();
        return embedder;
    }
}
