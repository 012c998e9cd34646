using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

public class LazyListTests
{
    private static TResult[] ReadTogether<TResult>(LazyList<int> list, int threads, Func<LazyList<int>, TResult> read)
    {
        using var start = new Barrier(threads);
        var results = new TResult[threads];
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            results[i] = read(list);
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        return results;
    }

    [Fact]
    public void ProducerRunsOnceAndEveryThreadSeesTheWholeList()
    {
        for (int round = 0; round < 20; round++)
        {
            int calls = 0;
            var list = new LazyList<int>(() =>
            {
                Interlocked.Increment(ref calls);
                Thread.Sleep(5); // long enough for the other threads to arrive while the items are being made
                return Enumerable.Range(0, 10_000);
            });

            var counts = ReadTogether(list, 8, l => l.Count);

            Assert.Equal(1, calls);
            Assert.All(counts, c => Assert.Equal(10_000, c));
            Assert.Equal(Enumerable.Range(0, 10_000), list);
        }
    }

    [Fact]
    public void DeferredProducerReplacesTheEmptyList()
    {
        var list = new LazyList<int>();
        Assert.Empty(list);

        var deferred = new LazyList<int>();
        deferred.Defer(() => [1, 2, 3]);
        Assert.Equal([1, 2, 3], deferred);
        Assert.Throws<InvalidOperationException>(() => deferred.Defer(() => [4]));
    }

    [Fact]
    public void AProducerThatThrowsRunsOnceAndEveryReadOnEveryThreadThrowsTheSameError()
    {
        for (int round = 0; round < 20; round++)
        {
            int calls = 0;
            var list = new LazyList<int>();
            list.Defer(() =>
            {
                Interlocked.Increment(ref calls);
                Thread.Sleep(5);
                throw new ModuleFormatException("m.ko", 4, "table", "bad");
            });

            var errors = ReadTogether(list, 8, l => Record.Exception(() => l.Count));

            Assert.Equal(1, calls);
            Assert.All(errors, e => Assert.Equal("m.ko: offset 0x4: table: bad", Assert.IsType<ModuleFormatException>(e).Message));
            // Later reads, by any member, throw again rather than show an empty list.
            Assert.Throws<ModuleFormatException>(() => list[0]);
            Assert.Throws<ModuleFormatException>(() => list.GetEnumerator());
            Assert.Equal(1, calls);
        }
    }
}
