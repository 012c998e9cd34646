using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

public class DeferredListTests
{
    [Fact]
    public void ProducerRunsOnceAndEveryThreadSeesTheWholeList()
    {
        for (int round = 0; round < 20; round++)
        {
            int calls = 0;
            var list = new DeferredList<int>();
            list.Defer(() =>
            {
                Interlocked.Increment(ref calls);
                Thread.Sleep(5); // long enough for the other threads to arrive while the items are being added
                return Enumerable.Range(0, 10_000);
            });

            using var start = new Barrier(8);
            var counts = new int[8];
            var threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                counts[i] = list.Count;
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.Equal(1, calls);
            Assert.All(counts, c => Assert.Equal(10_000, c));
        }
    }

    [Fact]
    public void AProducerThatThrowsLeavesTheListEmpty()
    {
        var list = new DeferredList<int>();
        list.Defer(() => throw new ModuleFormatException("m.ko", 4, "table", "bad"));
        Assert.Throws<ModuleFormatException>(() => list.Count);
        Assert.Empty(list);
    }
}
