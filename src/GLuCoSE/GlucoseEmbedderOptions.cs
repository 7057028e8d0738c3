using System;
using System.Collections.Generic;

namespace GLuCoSE;

/// <summary>Options for <see cref="GlucoseEmbedder.Create(string, GlucoseEmbedderOptions?)"/>.</summary>
/// <remarks>The embedder copies the options when it is created; changing them afterwards has no effect on it.</remarks>
public sealed class GlucoseEmbedderOptions
{
    /// <summary>The default model file name inside a model folder.</summary>
    public const string DefaultModelFileName = "model.onnx";

    /// <summary>
    /// Gets or sets the most tokens per text, <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> included; longer texts are truncated
    /// as sentence-transformers truncates them (the first tokens are kept and <c>&lt;/s&gt;</c> stays last).
    /// 0 (the default) means the model folder's <c>sentence_bert_config.json</c> <c>max_seq_length</c>, else 512.
    /// </summary>
    public int MaxSequenceLength { get; set; }

    /// <summary>The most texts per model run on the CPU when <see cref="BatchSize"/> is null.</summary>
    public const int DefaultCpuBatchSize = 128;

    /// <summary>The most padded tokens per model run on the CPU when <see cref="MaxBatchTokens"/> is null.</summary>
    public const int DefaultCpuMaxBatchTokens = 1024;

    /// <summary>The most texts per model run on CUDA when <see cref="BatchSize"/> is null (sentence-transformers' default).</summary>
    public const int DefaultCudaBatchSize = 32;

    /// <summary>The most padded tokens per model run on CUDA when <see cref="MaxBatchTokens"/> is null.</summary>
    public const int DefaultCudaMaxBatchTokens = 4096;

    /// <summary>
    /// Gets or sets the most texts per model run, for <see cref="GlucoseEmbedder.Encode(System.Collections.Generic.IReadOnlyList{string})"/>
    /// batches and for the micro-batches that concurrent <see cref="GlucoseEmbedder.Encode(string)"/> calls share.
    /// Null (the default): <see cref="DefaultCpuBatchSize"/> (128) on the CPU, <see cref="DefaultCudaBatchSize"/> (32)
    /// on CUDA. Runs stay within <see cref="MaxBatchTokens"/> too, so on the CPU a batch holds 128 texts only when they
    /// are short.
    /// </summary>
    /// <remarks>See <see cref="MaxBatchTokens"/> for how the CPU defaults were measured.</remarks>
    public int? BatchSize { get; set; }

    /// <summary>
    /// Gets or sets the most padded tokens (texts × longest text) per model run; 0 means no budget, only
    /// <see cref="BatchSize"/>. Null (the default): <see cref="DefaultCpuMaxBatchTokens"/> (1,024) on the CPU,
    /// <see cref="DefaultCudaMaxBatchTokens"/> (4,096) on CUDA. A budget sizes runs by their compute rather than by
    /// their texts (text-embeddings-inference's max-batch-tokens): short texts share large batches, long ones small
    /// batches, which also bounds the memory ONNX Runtime needs for attention (32 × 512 tokens would need about
    /// 400 MB per attention layer). Concurrent <see cref="GlucoseEmbedder.Encode(string)"/> calls keep each run of a
    /// micro-batch within this budget too.
    /// </summary>
    /// <remarks>
    /// The CPU defaults measured fastest on 2 cores of a Zen 5 CPU with the full-size model, against the earlier defaults
    /// (32 texts, 4,096 tokens, no bulk <see cref="ParallelRuns"/>): fp32 +4.8% and int8 +12% on 2,808 JSTS sentences,
    /// +16% and +25% on texts of 118 tokens (the benchmarks' <c>policies</c> command, which lets the policies take turns
    /// over the corpus; tests/GLuCoSE.Benchmarks/README.md has the table). 64 : 1,024 and 128 : 768 measured within 3%.
    /// The CUDA defaults are the earlier CPU defaults, kept until a GPU measures better ones: runs of 1,024 tokens would
    /// leave a GPU mostly idle.
    /// </remarks>
    public int? MaxBatchTokens { get; set; }

    /// <summary>The batch size this configuration runs with: <see cref="BatchSize"/>, else the provider's default.</summary>
    internal int EffectiveBatchSize => BatchSize ?? (ExecutionProvider == GlucoseExecutionProvider.Cuda ? DefaultCudaBatchSize : DefaultCpuBatchSize);

    /// <summary>The token budget this configuration runs with: <see cref="MaxBatchTokens"/>, else the provider's default.</summary>
    internal int EffectiveMaxBatchTokens => MaxBatchTokens ?? (ExecutionProvider == GlucoseExecutionProvider.Cuda ? DefaultCudaMaxBatchTokens : DefaultCpuMaxBatchTokens);

    /// <summary>
    /// Gets or sets how long after the previous micro-batch of concurrent <see cref="GlucoseEmbedder.Encode(string)"/>
    /// calls ended the next one may wait for that batch's callers to come back with their next text. Default 5 ms. A
    /// lone caller never waits, nor does a call that comes later than that; with many callers the wait keeps micro-batches full and every caller's latency close to one batch
    /// (measured with 32 callers on the full-size model: p99/p50 latency 1.3 to 1.6 with the wait, 1.9 without, and
    /// 5% more throughput). <see cref="TimeSpan.Zero"/> turns it off.
    /// </summary>
    public TimeSpan MicroBatchWait { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Gets or sets whether embeddings are scaled to unit length. Default false, like sentence-transformers'
    /// <c>encode</c>; cosine similarity is the same either way, and unit vectors make it a dot product.
    /// </summary>
    public bool NormalizeEmbeddings { get; set; }

    /// <summary>
    /// Gets or sets the ONNX file to load from the model folder. Default <c>model.onnx</c>; when it is not in the folder,
    /// <c>onnx/model.onnx</c> (the Hugging Face layout) is used. A relative path is taken from the model folder.
    /// </summary>
    public string ModelFileName { get; set; } = DefaultModelFileName;

    /// <summary>Gets or sets where the model runs. Default <see cref="GlucoseExecutionProvider.Cpu"/>.</summary>
    public GlucoseExecutionProvider ExecutionProvider { get; set; } = GlucoseExecutionProvider.Cpu;

    /// <summary>
    /// Gets or sets the threads ONNX Runtime uses inside one model run. Null (the default) lets ONNX Runtime choose
    /// (one per physical core).
    /// </summary>
    public int? IntraOpNumThreads { get; set; }

    /// <summary>
    /// Gets or sets whether the embedder may run two batches at once, each on half the intra-op threads, instead of one
    /// after the other on all of them: the two halves of a micro-batch of concurrent single-text calls, and the two
    /// halves of a bulk batch of 512 to 2,048 padded tokens. Default true. CPU only, and only with at least two intra-op
    /// threads and weights that can be shared (see remarks).
    /// </summary>
    /// <remarks>
    /// <para>On runs of up to about a thousand tokens ONNX Runtime's threads spend much of each operator waiting for one
    /// another, so two runs side by side get more done. Bulk <see cref="GlucoseEmbedder.Encode(System.Collections.Generic.IReadOnlyList{string})"/>
    /// with the CPU defaults ran 8.5% (fp32) and 18% (int8) faster on 2 cores of a Zen 5 CPU (benchmarks' <c>policies</c>
    /// command). Texts that arrive together while the model is busy are coalesced into a micro-batch, which goes to the
    /// two lanes when its runs split evenly enough to gain. A lone caller, small bulk batches and large ones get every
    /// thread.</para>
    /// <para>The second session shares the first's weights (memory-mapped from the model files and handed to both as
    /// shared initializers, with one container for the pre-packed matrices), so it costs its activations only. That needs
    /// the weights at offsets their element type can be read from: true of external-data files (and of the
    /// <see cref="OptimizedModelCacheDirectory"/> entries); a graph with misaligned weights inside it runs without the
    /// lanes, unless <see cref="OptimizedModelCacheDirectory"/> is set. <see cref="GlucoseEmbedder.CreateAsync"/> sets a
    /// cache folder itself for a downloaded graph of that kind (such as the public opset-11 export of GLuCoSE-base-ja).
    /// Embeddings are bit-identical either way.</para>
    /// <para>The measurements: the README's performance section, and tests/GLuCoSE.Benchmarks/README.md.</para>
    /// </remarks>
    public bool ParallelRuns { get; set; } = true;

    /// <summary>
    /// Gets or sets a folder where ONNX Runtime's optimized graph of the model is kept, so that later loads skip the
    /// graph optimizations. Null (the default) keeps nothing. CPU only: with <see cref="GlucoseExecutionProvider.Cuda"/>
    /// it is not used.
    /// </summary>
    /// <remarks>
    /// <para>Measured on the full-size graph (2-core Zen 5, <c>load</c> command of the benchmarks): a load from the
    /// cache takes about 20–30% less time for the fp32 graph (223 → 174 ms) and about 40% less for the int8 graph
    /// (121 → 70 ms). Embeddings are bit-identical either way.</para>
    /// <para>The first load writes the entry (a copy of the graph, weights included: about 450 MB for fp32). Entries are
    /// keyed by the model files (path, size, last write time), the ONNX Runtime version and the CPU's instruction sets,
    /// because the optimized graph may hold nodes for this hardware only: a changed model or machine gets a new entry
    /// and the old one is never read again (delete the folder to reclaim the space). A folder that cannot be written
    /// to costs only the speed-up. The graphs in the folder are loaded like the model itself: give it the same
    /// protection as the model folder (writable by this app only).</para>
    /// <para>Null does not always mean no cache with <see cref="GlucoseEmbedder.CreateAsync"/>: a downloaded graph whose
    /// weights lie inside the graph file at offsets the two sessions of <see cref="ParallelRuns"/> cannot share (the
    /// public opset-11 export of GLuCoSE-base-ja) gets a cache folder beside the model's download folder,
    /// <c>&lt;revision&gt;.onnxruntime</c>, so that the lanes open and the weights are held once. Set
    /// <see cref="ParallelRuns"/> to false to keep nothing there.</para>
    /// </remarks>
    public string? OptimizedModelCacheDirectory { get; set; }

    // ---- Prompts (sentence-transformers' prompts / default_prompt_name) ----

    /// <summary>
    /// Gets the named prompts: prefixes put before each text, like sentence-transformers' <c>prompts</c>.
    /// GLuCoSE-base-ja-v2 wants <c>"query: "</c> before search queries and <c>"passage: "</c> before the texts searched;
    /// <see cref="GlucosePrompts.Query"/> and <see cref="GlucosePrompts.Passage"/> name them. Empty by default
    /// (GLuCoSE-base-ja takes plain text). Names are case-sensitive.
    /// </summary>
    /// <remarks>
    /// A call picks a prompt by name (<c>promptName</c> parameters, or <c>"prompt_name"</c> in
    /// <c>EmbeddingGenerationOptions.AdditionalProperties</c>); with none, <see cref="DefaultPromptName"/> applies. The
    /// prompt's tokens count against <see cref="MaxSequenceLength"/> and are pooled with the text's, as in
    /// sentence-transformers.
    /// </remarks>
    public IDictionary<string, string> Prompts { get; private set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets the prompt used whenever a call names none (every <c>Encode</c> member included), like
    /// sentence-transformers' <c>default_prompt_name</c>. Null (the default) means no prompt. It must be a key of
    /// <see cref="Prompts"/>; <see cref="GlucoseEmbedder.Create(string, GlucoseEmbedderOptions?)"/> checks it.
    /// </summary>
    public string? DefaultPromptName { get; set; }

    // ---- Microsoft.Extensions.AI metadata ----

    /// <summary>
    /// Gets or sets the model id reported through <c>Microsoft.Extensions.AI</c> (<c>EmbeddingGeneratorMetadata</c> and
    /// each <c>Embedding.ModelId</c>). Null (the default) means, for a model downloaded by
    /// <see cref="GlucoseEmbedder.CreateAsync"/>, its hub repository (e.g. <c>pkshatech/GLuCoSE-base-ja</c>), else the
    /// model folder's name (e.g. <c>GLuCoSE-base-ja</c>).
    /// </summary>
    public string? ModelId { get; set; }

    internal GlucoseEmbedderOptions Clone()
    {
        var copy = (GlucoseEmbedderOptions)MemberwiseClone();
        copy.Prompts = new Dictionary<string, string>(Prompts, StringComparer.Ordinal);
        return copy;
    }
}
