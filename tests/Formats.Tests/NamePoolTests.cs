using System.Text;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Tests;

public class NamePoolTests
{
    [Fact]
    public void ARepeatedNameIsOneStringAndEveryNameDecodesAsUtf8()
    {
        var pool = new NamePool(slotBits: 4, maxLength: 16);
        string first = pool.Get(".rela.text"u8);
        Assert.Equal(".rela.text", first);
        Assert.Same(first, pool.Get(".rela.text"u8));

        // Sixteen slots for many names: collisions replace a slot but never return another name's string.
        for (int i = 0; i < 200; i++)
        {
            string name = $".text.f{i}";
            Assert.Equal(name, pool.Get(Encoding.UTF8.GetBytes(name)));
            Assert.Equal(name, pool.Get(Encoding.UTF8.GetBytes(name)));
        }

        Assert.Equal("", pool.Get(""u8));
        Assert.Equal("säge", pool.Get("säge"u8));
        Assert.Equal("säge", pool.Get("säge"u8));
        Assert.Equal("\uFFFD", pool.Get([0x80]));
        string longName = new('x', 17);
        Assert.Equal(longName, pool.Get(Encoding.UTF8.GetBytes(longName)));
    }

    [Fact]
    public void ThreadsSharingOneSlotEachGetTheirOwnName()
    {
        var pool = new NamePool(slotBits: 1, maxLength: 64);
        var errors = 0;
        Parallel.For(0, 4, t =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                string name = $"name{t}_{i % 7}";
                if (pool.Get(Encoding.UTF8.GetBytes(name)) != name)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        });
        Assert.Equal(0, errors);
    }
}
