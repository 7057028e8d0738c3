using System.Collections.Generic;
using GLuCoSE.Inference;
using Xunit;

namespace GLuCoSE.Tests.Inference;

public sealed class BatchPlannerTests
{
    [Fact]
    public void OrderByLengthDescending_Ties_KeepInputOrder()
    {
        int[][] sequences = [new int[3], new int[5], new int[3], new int[5], new int[1]];

        Assert.Equal([1, 3, 0, 2, 4], BatchPlanner.OrderByLengthDescending(sequences));
    }

    [Fact]
    public void Plan_CountOnly_CutsEveryBatchSize()
    {
        List<(int, int)> plan = BatchPlanner.Plan([9, 8, 7, 6, 5, 4, 3], maxBatch: 3, maxTokens: 0);

        Assert.Equal([(0, 3), (3, 3), (6, 1)], plan);
    }

    [Fact]
    public void Plan_TokenBudget_ShrinksBatchesOfLongTexts()
    {
        List<(int, int)> plan = BatchPlanner.Plan([512, 512, 512, 100, 100, 100, 100, 10], maxBatch: 8, maxTokens: 1024);

        // Each batch pads to its first (longest) text: 2 × 512 fit the budget, then 512 + 100 padded to 2 × 512,
        // then the last four under 1024 / 100.
        Assert.Equal([(0, 2), (2, 2), (4, 4)], plan);
    }

    [Fact]
    public void Plan_TextLongerThanBudget_StillGetsABatch()
    {
        Assert.Equal([(0, 1), (1, 1)], BatchPlanner.Plan([600, 600], maxBatch: 32, maxTokens: 512));
    }

    [Fact]
    public void SplitByPaddingCost_MixedLengths_SplitsWherePaddingCostsMoreThanARun()
    {
        // One batch: 16 + 6 × 30 = 196 token-costs; two: (16 + 2 × 30) + (16 + 4 × 5) = 112.
        Assert.Equal([(0, 2), (2, 4)], BatchPlanner.SplitByPaddingCost([30, 30, 5, 5, 5, 5]));
    }

    [Fact]
    public void SplitByPaddingCost_SimilarLengths_KeepsOneBatch()
    {
        Assert.Equal([(0, 5)], BatchPlanner.SplitByPaddingCost([12, 11, 11, 10, 10]));
    }
}
