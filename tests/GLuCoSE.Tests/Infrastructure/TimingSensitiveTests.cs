using Xunit;

namespace GLuCoSE.Tests.Infrastructure;

/// <summary>Tests whose outcome depends on threads getting cores: they run after the parallel ones, one at a time.</summary>
[CollectionDefinition(nameof(TimingSensitiveTests), DisableParallelization = true)]
public sealed class TimingSensitiveTests;
