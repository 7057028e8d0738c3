using System.Collections.Generic;
using System.Linq;
using GLuCoSE.Engine;
using GLuCoSE.Execution;
using GLuCoSE.Model;
using GLuCoSE.Scheduling;
using Xunit;

namespace GLuCoSE.Tests.Scheduling;

public sealed class BatchPlannerTests
{
    // A run's fixed cost in tokens (EnginePolicy.RunOverheadTokens), and a budget no group reaches.
    private const int Overhead = 16;
    private const int NoBudget = int.MaxValue;

    [Fact]
    public void OrderByLengthDescending_Ties_KeepInputOrder()
    {
        int[][] sequences = [new int[3], new int[5], new int[3], new int[5], new int[1]];

        Assert.Equal([1, 3, 0, 2, 4], BatchPlanner.OrderByLengthDescending(sequences));
    }

    [Fact]
    public void Plan_CountOnly_CutsEveryBatchSize()
    {
        List<(int, int)> plan = BatchPlanner.Plan([9, 8, 7, 6, 5, 4, 3], maxBatch: 3, maxTokens: NoBudget);

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
        Assert.Equal([(0, 2), (2, 4)], BatchPlanner.SplitByPaddingCost([30, 30, 5, 5, 5, 5], Overhead, NoBudget));
    }

    [Fact]
    public void SplitByPaddingCost_SimilarLengths_KeepsOneBatch()
    {
        Assert.Equal([(0, 5)], BatchPlanner.SplitByPaddingCost([12, 11, 11, 10, 10], Overhead, NoBudget));
    }

    [Fact]
    public void SplitByPaddingCost_TokenBudget_CutsGroupsThatWouldPassIt()
    {
        // Without a budget, ten texts of 30 tokens are one run (316 tokens of cost); 100 tokens allow 3 per run.
        Assert.Equal([(0, 10)], BatchPlanner.SplitByPaddingCost([30, 30, 30, 30, 30, 30, 30, 30, 30, 30], Overhead, NoBudget));

        List<(int Start, int Count)> groups = BatchPlanner.SplitByPaddingCost([30, 30, 30, 30, 30, 30, 30, 30, 30, 30], Overhead, maxTokens: 100);

        Assert.All(groups, g => Assert.True(g.Count * 30 <= 100));
        Assert.Equal(4, groups.Count);
        Assert.Equal([(0, 1)], BatchPlanner.SplitByPaddingCost([300], Overhead, maxTokens: 100));
    }

    [Fact]
    public void SplitInTwoLanes_EqualLengths_HalvesTheBatch()
    {
        int[] lengths = [40, 40, 40, 40, 40, 40, 40, 40];
        List<(int Start, int Count)> serial = BatchPlanner.SplitByPaddingCost(lengths, Overhead, NoBudget);

        var lanes = BatchPlanner.SplitInTwoLanes(lengths, serial, halfThreadsSlowdown: 1.8, NoBudget, Overhead);

        // One run of 8 × 40 costs 16 + 320 = 336 tokens; two lanes of 4 × 40 cost 176 each, × 1.8 = 317 < 336.
        Assert.NotNull(lanes);
        Assert.Equal([(0, 4)], lanes.Value.First);
        Assert.Equal([(4, 4)], lanes.Value.Second);
    }

    [Fact]
    public void SplitInTwoLanes_MixedLengths_CoversEveryTextOnceInOrder()
    {
        int[] lengths = [120, 90, 88, 60, 41, 40, 33, 30, 30, 12, 11, 9, 9, 8, 7, 5];
        List<(int Start, int Count)> serial = BatchPlanner.SplitByPaddingCost(lengths, Overhead, NoBudget);

        var lanes = BatchPlanner.SplitInTwoLanes(lengths, serial, halfThreadsSlowdown: 1.0, NoBudget, Overhead);

        Assert.NotNull(lanes);
        int next = 0;
        foreach ((int start, int count) in lanes.Value.First.Concat(lanes.Value.Second))
        {
            Assert.Equal(next, start);
            Assert.True(count > 0);
            next += count;
        }

        Assert.Equal(lengths.Length, next);
        long first = BatchPlanner.Cost(lengths, lanes.Value.First, Overhead);
        long second = BatchPlanner.Cost(lengths, lanes.Value.Second, Overhead);
        Assert.True(System.Math.Max(first, second) < BatchPlanner.Cost(lengths, serial, Overhead));
    }

    [Theory]
    [InlineData(new[] { 30 })]
    [InlineData(new[] { 9, 8 })]
    [InlineData(new[] { 300, 10 })]
    public void SplitInTwoLanes_WhenTheLanesWouldBeSlower_ReturnsNull(int[] lengths)
    {
        // One text cannot be split; two short ones are cheaper as one run than as two half-speed runs; one long text
        // and one short one leave a lane idle for most of the time.
        Assert.Null(BatchPlanner.SplitInTwoLanes(lengths, BatchPlanner.SplitByPaddingCost(lengths, Overhead, NoBudget), halfThreadsSlowdown: 1.8, NoBudget, Overhead));
    }

    [Fact]
    public void SplitForLanes_EqualLengths_CutsInTheMiddle()
    {
        Assert.Equal(4, BatchPlanner.SplitForLanes([10, 10, 10, 10, 10, 10, 10, 10], minBatchTokens: 0, maxRunTokens: 1024));
    }

    [Fact]
    public void SplitForLanes_OneLongText_GoesAloneAgainstTheShortOnes()
    {
        // Cut after 1: 1 × 30 against 5 × 5 = 25 padded tokens; after 2: 2 × 30 = 60 against 20.
        Assert.Equal(1, BatchPlanner.SplitForLanes([30, 5, 5, 5, 5, 5], minBatchTokens: 0, maxRunTokens: 1024));
    }

    [Theory]
    [InlineData(new[] { 30 }, 0, 1024)]
    [InlineData(new[] { 600, 600 }, 0, 512)]
    [InlineData(new[] { 40, 40, 40, 40 }, 0, 79)]
    [InlineData(new[] { 40, 40, 40, 40 }, 161, 1024)]
    public void SplitForLanes_OneTextOrABatchTooSmallOrHalvesTooLarge_ReturnsNull(int[] lengths, int minBatchTokens, int maxRunTokens)
    {
        Assert.Null(BatchPlanner.SplitForLanes(lengths, minBatchTokens, maxRunTokens));
    }

    [Fact]
    public void SplitForLanes_AtTheSmallestBatch_Splits()
    {
        Assert.Equal(2, BatchPlanner.SplitForLanes([40, 40, 40, 40], minBatchTokens: 160, maxRunTokens: 1024));
    }
}
