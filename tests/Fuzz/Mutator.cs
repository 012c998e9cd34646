using System.Buffers.Binary;
using System.IO.Compression;

namespace LkmKit.Fuzz;

/// <summary>
/// Mutates a seed the way a damaged or hostile file differs from a good one: flipped bits, header fields set to
/// boundary values (0, all ones, sign bits, the file's own length), truncation, chunks deleted, inserted or copied,
/// a splice with another fixture, and now and then the result gzip-compressed.
/// </summary>
/// <param name="random">The input's own generator (the runner derives it from the run seed and the input number).</param>
internal sealed class Mutator(Random random)
{
    /// <summary>Returns a mutated copy of <paramref name="seed"/>.</summary>
    public byte[] Mutate(byte[] seed, IReadOnlyList<Seed> others, bool mayCompress)
    {
        var data = new List<byte>(seed);
        int operations = 1 + (random.Next(4) == 0 ? random.Next(8) : random.Next(3));
        for (int i = 0; i < operations && data.Count > 0; i++)
        {
            Apply(data, others);
        }

        if (data.Count == 0)
        {
            data.Add(0);
        }

        var bytes = data.ToArray();
        return mayCompress && random.Next(64) == 0 ? Gzip(bytes) : bytes;
    }

    private void Apply(List<byte> data, IReadOnlyList<Seed> others)
    {
        switch (random.Next(10))
        {
            case 0:
            case 1:
                for (int n = 1 + random.Next(4); n > 0; n--)
                {
                    data[Position(data.Count)] ^= (byte)(1 << random.Next(8));
                }

                break;
            case 2:
                data[Position(data.Count)] = InterestingBytes[random.Next(InterestingBytes.Length)];
                break;
            case 3:
            case 4:
            case 5:
                SetInteger(data);
                break;
            case 6:
                if (data.Count > 1)
                {
                    int keep = 1 + random.Next(data.Count - 1);
                    data.RemoveRange(keep, data.Count - keep);
                }

                break;
            case 7:
            {
                int start = Position(data.Count);
                data.RemoveRange(start, Math.Min(data.Count - start, 1 + random.Next(64)));
                break;
            }

            case 8:
            {
                int from = random.Next(data.Count);
                var chunk = data.GetRange(from, Math.Min(data.Count - from, 1 + random.Next(64)));
                if (random.Next(2) == 0)
                {
                    random.NextBytes(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(chunk));
                }

                data.InsertRange(Position(data.Count), chunk);
                break;
            }

            default:
            {
                var other = others[random.Next(others.Count)].Bytes;
                int cut = Position(data.Count);
                int otherCut = random.Next(other.Length);
                data.RemoveRange(cut, data.Count - cut);
                data.AddRange(other.AsSpan(otherCut, Math.Min(other.Length - otherCut, 1 << 16)));
                break;
            }
        }
    }

    private static readonly byte[] InterestingBytes = [0, 1, 0x7f, 0x80, 0xfe, 0xff, 0x10, 0x20, 0x40];

    /// <summary>A position: half the time in the first 256 bytes, where every format keeps its headers.</summary>
    private int Position(int count) => random.Next(2) == 0 ? random.Next(Math.Min(count, 256)) : random.Next(count);

    private void SetInteger(List<byte> data)
    {
        int width = 1 << (1 + random.Next(3));
        if (data.Count < width)
        {
            return;
        }

        int at = Position(data.Count - width + 1) & ~(random.Next(2) == 0 ? width - 1 : 0);
        ulong value = random.Next(9) switch
        {
            0 => 0,
            1 => 1,
            2 => ulong.MaxValue,
            3 => (ulong)long.MaxValue >> (64 - 8 * width),
            4 => 1UL << (8 * width - 1),
            5 => (ulong)data.Count,
            6 => (ulong)(data.Count + random.Next(-16, 16)),
            7 => (ulong)random.Next(1, 4096),
            _ => (ulong)random.NextInt64(),
        };

        Span<byte> bytes = stackalloc byte[8];
        if (random.Next(2) == 0)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
            bytes = bytes[..width];
        }
        else
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
            bytes = bytes[(8 - width)..];
        }

        for (int i = 0; i < width; i++)
        {
            data[at + i] = bytes[i];
        }
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }
}
