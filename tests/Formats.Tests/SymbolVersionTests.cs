using System.Buffers.Binary;
using System.Text;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Elf.Writing;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>
/// Symbol versions and the CRCs the imports take from them, in both layouts: the 64-byte <c>__versions</c> records and
/// the <c>__version_ext_crcs</c>/<c>__version_ext_names</c> pair of newer kernels. Modules are written by the ELF writer.
/// </summary>
public class SymbolVersionTests
{
    private const byte GlobalNoType = ElfConstants.StbGlobal << 4, WeakNoType = ElfConstants.StbWeak << 4;

    [Fact]
    public void ClassicRecordsGiveImportsTheirCrcsFirstRecordWinningAndALeadingDotDropped()
    {
        var module = Read(ClassicVersions(("printk", 0x11111111), ("kmalloc", 0x22222222), ("printk", 0x33333333), (".dotted", 0x44444444)));

        Assert.Equal([("printk", 0x11111111u), ("kmalloc", 0x22222222u), ("printk", 0x33333333u), ("dotted", 0x44444444u)],
            ((LinuxModuleDetails)module.Details!).SymbolVersions.Select(v => (v.Name, v.Crc)));
        Assert.Equal([("printk", (uint?)0x11111111u), ("kmalloc", 0x22222222u), ("unversioned", null), ("dotted", 0x44444444u)],
            module.Imports.Select(i => (i.Name, i.Crc)));
        Assert.True(module.Imports.Single(i => i.Name == "kmalloc").IsWeak);
    }

    [Fact]
    public void ExtendedTablesGiveImportsTheirCrcs()
    {
        var module = Read(ExtendedVersions(("kmalloc", 0xaaaa0001), ("printk", 0xbbbb0002), ("dotted", 0xcccc0003)));

        Assert.Equal([("kmalloc", 0xaaaa0001u), ("printk", 0xbbbb0002u), ("dotted", 0xcccc0003u)],
            ((LinuxModuleDetails)module.Details!).SymbolVersions.Select(v => (v.Name, v.Crc)));
        Assert.Equal([("printk", (uint?)0xbbbb0002u), ("kmalloc", 0xaaaa0001u), ("unversioned", null), ("dotted", 0xcccc0003u)],
            module.Imports.Select(i => (i.Name, i.Crc)));
    }

    [Fact]
    public void ExtendedTablesWithFewerNamesThanCrcsAreAnError()
    {
        var module = Read(ExtendedVersions([("kmalloc", 1), ("printk", 2)], names: "kmalloc\0"));

        var error = Assert.Throws<ModuleFormatException>(() => module.Imports.Count);
        Assert.Contains("fewer names than CRCs", error.Message);
        Assert.Throws<ModuleFormatException>(() => ((LinuxModuleDetails)module.Details!).SymbolVersions.Count);
    }

    [Fact]
    public void ARecordWhoseNameIsNotTerminatedIsAnError()
    {
        var record = new byte[ModversionsReader.RecordSize];
        record.AsSpan(8).Fill((byte)'x');
        var module = Read([new() { Name = "__versions", Type = ElfConstants.ShtProgBits, Flags = ElfConstants.ShfAlloc, Alignment = 32, Data = record }]);

        var error = Assert.Throws<ModuleFormatException>(() => module.Imports.Count);
        Assert.Contains("symbol name is not NUL-terminated", error.Message);
    }

    private static KernelModule Read(List<ElfSectionDescription> versionSections)
    {
        var sections = new List<ElfSectionDescription>
        {
            new() { Name = ".modinfo", Type = ElfConstants.ShtProgBits, Flags = ElfConstants.ShfAlloc, Data = Encoding.ASCII.GetBytes("license=GPL\0vermagic=6.1.0 SMP mod_unload\0name=versions\0") },
            new() { Name = ".symtab", Type = ElfConstants.ShtSymTab, Link = 3, Alignment = 8, Symbols =
            [
                new ElfSymbolDescription("printk", 0, 0, GlobalNoType, 0, 0),
                new ElfSymbolDescription("kmalloc", 0, 0, WeakNoType, 0, 0),
                new ElfSymbolDescription("unversioned", 0, 0, GlobalNoType, 0, 0),
                new ElfSymbolDescription("dotted", 0, 0, GlobalNoType, 0, 0),
            ] },
            new() { Name = ".strtab", Type = ElfConstants.ShtStrTab },
        };
        sections.AddRange(versionSections);
        var bytes = ElfWriter.Build(new ElfFileDescription
        {
            Bits = 64, ByteOrder = ByteOrder.LittleEndian, Type = ElfConstants.TypeRel, Machine = ElfConstants.MachineX86_64, Sections = sections,
        });
        using var source = ModuleSource.FromMemory("versions.ko", bytes);
        var module = ModuleReader.Read(source).Single();
        Assert.Equal(ModuleFlavor.Linux, module.Flavor);
        return module;
    }

    private static List<ElfSectionDescription> ClassicVersions(params (string Name, uint Crc)[] records)
    {
        var data = new byte[records.Length * ModversionsReader.RecordSize];
        for (int i = 0; i < records.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(i * 64), records[i].Crc);
            Encoding.ASCII.GetBytes(records[i].Name).CopyTo(data.AsSpan(i * 64 + 8));
        }

        return [new() { Name = "__versions", Type = ElfConstants.ShtProgBits, Flags = ElfConstants.ShfAlloc, Alignment = 32, Data = data }];
    }

    private static List<ElfSectionDescription> ExtendedVersions(params (string Name, uint Crc)[] records) =>
        ExtendedVersions(records, string.Concat(records.Select(r => r.Name + "\0")));

    private static List<ElfSectionDescription> ExtendedVersions((string Name, uint Crc)[] records, string names)
    {
        var crcs = new byte[records.Length * 4];
        for (int i = 0; i < records.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(crcs.AsSpan(i * 4), records[i].Crc);
        }

        return
        [
            new() { Name = "__version_ext_crcs", Type = ElfConstants.ShtProgBits, Flags = ElfConstants.ShfAlloc, Alignment = 4, Data = crcs },
            new() { Name = "__version_ext_names", Type = ElfConstants.ShtProgBits, Flags = ElfConstants.ShfAlloc, Alignment = 1,
                Data = Encoding.ASCII.GetBytes(names) },
        ];
    }
}
