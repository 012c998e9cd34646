using System.Buffers.Binary;
using LkmKit.Formats;
using LkmKit.Formats.Flavors.Kext;
using LkmKit.Formats.IO;
using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>
/// Big-endian Mach-O (ppc): no toolchain here writes one (LLVM 14 has no PowerPC Mach-O writer, Debian's binutils no
/// mach-o targets), so the test byte-swaps the real i386 object: header, load commands, nlists, both relocation
/// encodings (non-scattered bit fields are packed mirrored in big-endian files) and the 4-byte data words. The
/// big-endian model must equal the little-endian one.
/// </summary>
public class MachOBigEndianTests
{
    private static void Swap32(byte[] b, int at) => BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at)));

    private static byte[] ToBigEndian(byte[] le)
    {
        var file = MachOFile.Parse(le, "le");
        var b = (byte[])le.Clone();
        for (int i = 0; i < 7; i++)
        {
            Swap32(b, i * 4);
        }

        foreach (var c in file.LoadCommands)
        {
            int at = (int)c.Offset;
            if (c.Command == MachOConstants.LcSegment)
            {
                Swap32(b, at);
                Swap32(b, at + 4);
                for (int w = 24; w < 56; w += 4)
                {
                    Swap32(b, at + w);
                }

                int nsects = BinaryPrimitives.ReadInt32LittleEndian(le.AsSpan(at + 48));
                for (int s = 0; s < nsects; s++)
                {
                    for (int w = 32; w < 68; w += 4)
                    {
                        Swap32(b, at + 56 + s * 68 + w);
                    }
                }
            }
            else
            {
                for (int w = 0; w < c.Size; w += 4)
                {
                    Swap32(b, at + w);
                }
            }
        }

        var symtab = file.Symtab!.Value;
        for (int i = 0; i < symtab.SymbolCount; i++)
        {
            int at = (int)symtab.SymbolOffset + i * 12;
            Swap32(b, at);
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(at + 6), BinaryPrimitives.ReadUInt16LittleEndian(le.AsSpan(at + 6)));
            Swap32(b, at + 8);
        }

        // __DATA,__data: every 4-byte word except kmod_info's name and version strings.
        var symbols = new MachOSymbolTable(file);
        int kmod = symbols.FindDefined("_kmod_info");
        for (int s = 0; s < file.Sections.Count; s++)
        {
            var section = file.Sections[s];
            if (section.FullName == "__DATA,__data")
            {
                ulong strings = symbols[kmod].Value - section.Address + 12;
                for (ulong w = 0; w + 4 <= section.Size; w += 4)
                {
                    if (w < strings || w >= strings + 128)
                    {
                        Swap32(b, (int)(section.Offset + w));
                    }
                }
            }

            for (int r = 0; r < section.RelocationCount; r++)
            {
                int at = (int)section.RelocationOffset + r * 8;
                uint w0 = BinaryPrimitives.ReadUInt32LittleEndian(le.AsSpan(at)), w1 = BinaryPrimitives.ReadUInt32LittleEndian(le.AsSpan(at + 4));
                BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), w0);
                if ((w0 & MachOConstants.RScattered) != 0)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at + 4), w1);
                    continue;
                }

                uint packed = (w1 & 0xFFFFFF) << 8 | ((w1 >> 24) & 1) << 7 | ((w1 >> 25) & 3) << 5 | ((w1 >> 27) & 1) << 4 | w1 >> 28;
                BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at + 4), packed);
                // The implicit addend in __text (in __data every word is already swapped).
                if (section.FullName == "__TEXT,__text")
                {
                    Swap32(b, (int)(section.Offset + w0));
                }
            }

            if (section.FullName == "__TEXT,__text")
            {
                foreach (var r in Enumerable.Range(0, (int)section.RelocationCount).Select(r => (int)section.RelocationOffset + r * 8))
                {
                    uint w0 = BinaryPrimitives.ReadUInt32LittleEndian(le.AsSpan(r));
                    if ((w0 & MachOConstants.RScattered) != 0)
                    {
                        Swap32(b, (int)(section.Offset + (w0 & 0xFFFFFF)));
                    }
                }
            }
        }

        return b;
    }

    [Fact]
    public void ByteSwappedObjectGivesTheSameModel()
    {
        var le = File.ReadAllBytes(RepoPaths.TestData("kext", "objects", "demokext.i386.o"));
        var be = ToBigEndian(le);
        Assert.Equal([0xFE, 0xED, 0xFA, 0xCE], be[..4]);
        using var leSource = ModuleSource.FromMemory("le", le);
        using var beSource = ModuleSource.FromMemory("be", be);
        var a = Assert.Single(ModuleReader.Read(leSource));
        var b = Assert.Single(ModuleReader.Read(beSource));
        Assert.Equal(ByteOrder.BigEndian, b.ByteOrder);
        Assert.Equal((a.Machine, a.Bits, a.FileType, a.Flavor), (b.Machine, b.Bits, b.FileType, b.Flavor));
        Assert.Equal(a.Sections.Select(s => (s.Name, s.Address, s.Size, s.FileOffset, s.RawFlags)), b.Sections.Select(s => (s.Name, s.Address, s.Size, s.FileOffset, s.RawFlags)));
        Assert.Equal(a.Symbols.Select(s => (s.Name, s.Value, s.Type, s.Binding, s.SectionIndex, s.RawOther)), b.Symbols.Select(s => (s.Name, s.Value, s.Type, s.Binding, s.SectionIndex, s.RawOther)));
        Assert.Equal(a.RelocationSections.SelectMany(t => t.Relocations), b.RelocationSections.SelectMany(t => t.Relocations));
        Assert.Equal(12, b.RelocationSections.Sum(t => t.Relocations.Count));
        var (ka, kb) = (((KextDetails)a.Details!).KmodInfo!, ((KextDetails)b.Details!).KmodInfo!);
        Assert.Equal(ka, kb);
        Assert.Equal(("com.example.lkmkit.demo", 1, "_demo_start"), (kb.Name, kb.InfoVersion, kb.StartSymbol));
        Assert.Equal(((MachODetails)a.ContainerDetails!).BuildVersion, ((MachODetails)b.ContainerDetails!).BuildVersion);
    }
}
