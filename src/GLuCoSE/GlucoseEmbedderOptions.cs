using System;
using System.Collections.Generic;

namespace GLuCoSE;

/// <summary>Options for <see cref="GlucoseEmbedder.Create(string, GlucoseEmbedderOptions?)"/> and <see cref="GlucoseEmbedder.CreateAsync"/>.</summary>
/// <remarks>
/// Null means the default everywhere. The embedder copies the options when it is created; changing them afterwards
/// has no effect on it.
/// </remarks>
public sealed class GlucoseEmbedderOptions
{
    /// <summary>
    /// Gets or sets the most tokens per text, <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> included (2 to the model's 512
    /// positions); longer texts are truncated as sentence-transformers truncates them (the first tokens are kept and
    /// <c>&lt;/s&gt;</c> stays last). Null (the default): the model folder's <c>sentence_bert_config.json</c>
    /// <c>max_seq_length</c>, else 512.
    /// </summary>
    public int? MaxSequenceLength { get; set; }

    /// <summary>
    /// Gets or sets the most texts per model run, for <see cref="GlucoseEmbedder.Encode(IReadOnlyList{string})"/> batches
    /// and for the micro-batches that concurrent <see cref="GlucoseEmbedder.Encode(string)"/> calls share. Null (the
    /// default): 128 on the CPU, 32 on CUDA. Runs also stay within <see cref="GlucosePerformanceOptions.MaxBatchTokens"/>,
    /// so on the CPU a batch holds 128 texts only when they are short.
    /// </summary>
    public int? BatchSize { get; set; }

    /// <summary>
    /// Gets or sets whether embeddings are scaled to unit length. Default false, like sentence-transformers'
    /// <c>encode</c>; cosine similarity is the same either way, and unit vectors make it a dot product.
    /// </summary>
    public bool NormalizeEmbeddings { get; set; }

    /// <summary>
    /// Gets or sets the ONNX file to load from the model folder; a relative path is taken from the folder. Null (the
    /// default): <c>model.onnx</c>. When the file is not in the folder, the same name in its <c>onnx/</c> subfolder (the
    /// Hugging Face layout) is used. <c>model_int8.onnx</c> picks an int8 graph.
    /// </summary>
    public string? ModelFileName { get; set; }

    /// <summary>Gets or sets where the model runs. Default <see cref="GlucoseExecutionProvider.Cpu"/>.</summary>
    public GlucoseExecutionProvider ExecutionProvider { get; set; } = GlucoseExecutionProvider.Cpu;

    /// <summary>
    /// Gets or sets the threads ONNX Runtime uses inside one model run (at least 1). Null (the default) lets ONNX
    /// Runtime choose: one per physical core.
    /// </summary>
    public int? IntraOpNumThreads { get; set; }

    /// <summary>Gets the performance knobs: the token budget per run, the micro-batch wait, the lanes and the optimized-model cache.</summary>
    public GlucosePerformanceOptions Performance { get; private set; } = new();

    /// <summary>
    /// Gets the named prompts: prefixes put before each text, like sentence-transformers' <c>prompts</c>.
    /// GLuCoSE-base-ja-v2 wants <c>"query: "</c> before search queries and <c>"passage: "</c> before the texts searched
    /// (<see cref="GlucosePrompts.UseVersion2Prompts"/> adds both). Empty by default: GLuCoSE-base-ja takes plain text.
    /// Names are case-sensitive.
    /// </summary>
    /// <remarks>
    /// A call picks a prompt by name (the <c>promptName</c> parameters, or <c>"prompt_name"</c> in
    /// <c>EmbeddingGenerationOptions.AdditionalProperties</c>); with none, <see cref="DefaultPromptName"/> applies. The
    /// prompt's tokens count against <see cref="MaxSequenceLength"/> and are pooled with the text's, as in
    /// sentence-transformers.
    /// </remarks>
    public IDictionary<string, string> Prompts { get; private set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets the prompt used whenever a call names none, like sentence-transformers' <c>default_prompt_name</c>.
    /// Null (the default): no prompt. It must be a key of <see cref="Prompts"/>.
    /// </summary>
    public string? DefaultPromptName { get; set; }

    /// <summary>
    /// Gets or sets the model id reported through <c>Microsoft.Extensions.AI</c> (<c>EmbeddingGeneratorMetadata</c> and
    /// each <c>Embedding.ModelId</c>). Null (the default): for a model from <see cref="GlucoseEmbedder.CreateAsync"/>,
    /// its hub repository (e.g. <c>pkshatech/GLuCoSE-base-ja</c>), else the model folder's name.
    /// </summary>
    public string? ModelId { get; set; }

    /// <summary>Copies the options (prompts and performance knobs included) and checks every value.</summary>
    internal GlucoseEmbedderOptions ValidatedCopy()
    {
        var copy = (GlucoseEmbedderOptions)MemberwiseClone();
        copy.Prompts = new Dictionary<string, string>(Prompts, StringComparer.Ordinal);
        copy.Performance = Performance.Clone();
        copy.Validate();
        return copy;
    }

    private void Validate()
    {
        const string Name = "options";
        if (BatchSize is < 1)
        {
            throw new ArgumentOutOfRangeException(Name, BatchSize, "BatchSize must be null (the provider's default) or at least 1.");
        }

        if (MaxSequenceLength is < 2)
        {
            throw new ArgumentOutOfRangeException(Name, MaxSequenceLength, "MaxSequenceLength must be null (the model's default) or at least 2.");
        }

        if (IntraOpNumThreads is < 1)
        {
            throw new ArgumentOutOfRangeException(Name, IntraOpNumThreads, "IntraOpNumThreads must be null (ONNX Runtime's choice) or at least 1.");
        }

        if (ModelFileName is not null && string.IsNullOrWhiteSpace(ModelFileName))
        {
            throw new ArgumentException("ModelFileName must be null (model.onnx) or name the ONNX file in the model folder.", Name);
        }

        if (!Enum.IsDefined(ExecutionProvider))
        {
            throw new ArgumentOutOfRangeException(Name, ExecutionProvider, "ExecutionProvider must be Cpu or Cuda.");
        }

        Performance.Validate(Name);
        if (DefaultPromptName is not null)
        {
            PromptResolver.Resolve(Prompts, DefaultPromptName, promptName: null, Name);
        }
    }
}
