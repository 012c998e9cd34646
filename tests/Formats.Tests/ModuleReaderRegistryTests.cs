using System.Buffers.Binary;
using System.Text;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.Flavors.NetBsd;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.Tests;

/// <summary>A <see cref="ModuleReader"/> instance: the built-in wiring by default, flavours and containers a user adds.</summary>
public class ModuleReaderRegistryTests
{
    /// <summary>A user's flavour for NetBSD-like ELF objects: the module name and revision from the <c>$NetBSD$</c> id in <c>.ident</c>.</summary>
    private static ModuleReader WithRcsIdFlavor(ModuleReader reader) => reader.WithFlavor(ContainerFormat.Elf, ModuleFlavor.NetBsd,
        module => module.Sections.Any(s => s.Name == "link_set_modules"),
        (module, source, options) =>
        {
            var pairs = new List<KeyValuePair<string, string>>();
            foreach (var id in CString.Split(module.Sections.Single(s => s.Name == ".ident").Data.Span))
            {
                // "$NetBSD: nbsd_demo.c,v 1.12 2024/06/02 …": the file name without .c and its revision.
                string[] words = Encoding.UTF8.GetString(id).Split(' ');
                pairs.Add(new("name", words[1][..words[1].IndexOf(".c,v", StringComparison.Ordinal)]));
                pairs.Add(new("version", words[2]));
                pairs.Add(new("depends", "nbsd_base, pci"));
            }

            return pairs;
        });

    [Fact]
    public void A_user_flavour_reads_a_fixture_before_the_built_in_one()
    {
        string path = BsdFixtureTests.NetBsd("amd64", "nbsd_demo.kmod");
        using var file = WithRcsIdFlavor(ModuleReader.Default).OpenFile(path);

        var module = Assert.Single(file.Modules);
        Assert.Equal(ModuleFlavor.NetBsd, module.Flavor);
        Assert.Equal("nbsd_demo", module.Name);
        Assert.Equal("1.12", module.Version);
        Assert.Equal(["nbsd_base", "pci"], module.Dependencies.Select(d => d.Name));
        Assert.Equal(3, module.Metadata.Count);
        Assert.Null(module.Details); // the built-in NetBSD flavour did not run
        Assert.NotEmpty(module.Symbols); // the container's part of the model is there as always

        // Files the user's flavour does not recognise still get the built-in flavours.
        using var linux = WithRcsIdFlavor(ModuleReader.Default).OpenFile(RepoPaths.TestData("linux", "x86_64", "lkmdemo_core.ko"));
        Assert.Equal(ModuleFlavor.Linux, Assert.Single(linux.Modules).Flavor);
    }

    [Fact]
    public void Adding_a_flavour_makes_a_new_reader_and_leaves_the_default_alone()
    {
        var custom = WithRcsIdFlavor(ModuleReader.Default);
        Assert.NotSame(ModuleReader.Default, custom);

        string path = BsdFixtureTests.NetBsd("amd64", "nbsd_demo.kmod");
        using var file = ModuleReader.Default.OpenFile(path);
        using var shortcut = ModuleReader.Open(path);
        var details = Assert.IsType<NetBsdModuleDetails>(Assert.Single(file.Modules).Details);
        Assert.Equal("nbsd_base,pci", details.Required);
        Assert.Equal(Summary(Assert.Single(shortcut.Modules)), Summary(file.Modules[0]));
    }

    [Fact]
    public void A_user_container_reads_its_own_format_first()
    {
        // A made-up container: "TOYMOD\0\0", a little-endian name length, the name; its modules go through the flavours added for their container.
        byte[] bytes = [.. "TOYMOD\0\0"u8, 5, 0, 0, 0, .. "hello"u8];
        var reader = new ModuleReader().WithContainer(
            head => head.StartsWith("TOYMOD\0\0"u8),
            (source, options) =>
            {
                var span = source.Data.Span;
                int length = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
                return [new KernelModule
                {
                    Path = source.Path, Container = ContainerFormat.Elf, Machine = MachineArchitecture.Unknown, RawMachine = 0,
                    Bits = 32, ByteOrder = ByteOrder.LittleEndian,
                    Sections = [new ModuleSection { Index = 0, Name = "toy.name", RawType = 0, TypeName = "TOY", RawFlags = 0, HasContents = true,
                        Data = source.Data.Slice(12, length), Size = (ulong)length }],
                    Symbols = [], RelocationSections = [],
                }];
            }).WithFlavor(ContainerFormat.Elf, ModuleFlavor.Unknown, module => module.Sections.Any(s => s.Name == "toy.name"),
                (module, source, options) => [new("name", Encoding.ASCII.GetString(module.Sections[0].Data.Span))]);

        using var source = ModuleSource.FromMemory("toy.bin", bytes);
        Assert.Equal("hello", Assert.Single(reader.ReadSource(source)).Name);

        using var again = ModuleSource.FromMemory("toy.bin", bytes);
        Assert.Contains("not a recognised module container", Assert.Throws<ModuleFormatException>(() => ModuleReader.Read(again)).Reason);
    }

    [Fact]
    public void The_reader_options_are_the_instance_s_and_the_static_shortcut_s_alike()
    {
        string path = RepoPaths.TestData("lkm", "myexec.o");
        var options = new ModuleReadOptions { LkmOperatingSystem = LkmOperatingSystem.OpenBsd };
        var reader = new ModuleReader(options);
        Assert.Same(options, reader.Options);

        using var byInstance = reader.OpenFile(path);
        using var byShortcut = ModuleReader.Open(path, options);
        using var byWith = ModuleReader.Default.WithOptions(options).OpenFile(path);
        using var undecided = ModuleReader.Default.OpenFile(path);

        var chosen = Assert.IsType<LkmModuleDetails>(byInstance.Modules[0].Details);
        Assert.Equal(chosen.Kind, Assert.IsType<LkmModuleDetails>(byShortcut.Modules[0].Details).Kind);
        Assert.Equal(chosen.Kind, Assert.IsType<LkmModuleDetails>(byWith.Modules[0].Details).Kind);
        Assert.Equal(LkmModuleKind.Misc, chosen.Kind); // OpenBSD numbers lkm_type 4 as LM_MISC
        Assert.NotEqual(LkmModuleKind.Misc, Assert.IsType<LkmModuleDetails>(undecided.Modules[0].Details).Kind); // the file alone decides otherwise
    }

    private static string Summary(KernelModule m) =>
        $"{m.Flavor} {m.Name} {m.Version} {m.FileKind} {m.Sections.Count} {m.Symbols.Count} {m.RelocationSections.Count} " +
        string.Join(",", m.Metadata) + string.Join(",", m.Dependencies) + string.Join(",", m.Diagnostics);
}
