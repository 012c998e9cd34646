using System.Buffers.Binary;
using Iced.Intel;
using LkmKit.Formats;
using LkmKit.Formats.Flavors.FreeBsd;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Linker.Converting;
using LkmKit.Linker.Loading;
using LkmKit.Linker.Output;
using LkmKit.Linker.Symbols;
using LkmKit.Linker.Tests.Loading;

namespace LkmKit.Linker.Tests.Converting;

/// <summary>
/// Legacy a.out LKMs converted to FreeBSD 14 i386 klds: read back, disassembled, checked by readelf, llvm-objdump, the
/// readelf-only relocation oracle, ld.lld (which links the relocatable intermediate into an image equivalent to ours)
/// and the FreeBSD loader model.
/// </summary>
public class FreeBsdConversionTests
{
    private const ulong Base = 0xc8000000;
    private static readonly string KernelMap = RepoPaths.TestData("convert", "freebsd14-i386.kernel.map");

    public static TheoryData<string> Convertible() => new("cvmisc", "cvsys", "mysys", "fbmisc", "fbsys", "obmisc", "obsys", "nb4misc", "nb4sys");

    [Theory]
    [MemberData(nameof(Convertible))]
    public void ReadsBackAsAFreeBsdModuleWithTheLkmsNameVersionAndKernelRange(string name)
    {
        var module = ReadBack(name);
        Assert.Equal(ModuleFlavor.FreeBsd, module.Flavor);
        Assert.Equal(name, module.Name);
        var details = Assert.IsType<FreeBsdModuleDetails>(module.Details);
        Assert.True(details.IsShared);
        Assert.Equal([FreeBsdMetadataType.Depend, FreeBsdMetadataType.Module, FreeBsdMetadataType.Version], details.Records.Select(r => r.Type));
        Assert.Equal(new FreeBsdDependRange(1402000, 1402000, 1499999), details.KernelRange);
        var record = details.Records.Single(r => r.Type == FreeBsdMetadataType.Module);
        Assert.Equal(name, record.Module!.Name);
        Assert.Equal($"{name}_modevent", record.Module.Handler);
        Assert.Equal(1, details.Records.Single(r => r.Type == FreeBsdMetadataType.Version).Version);
        Assert.DoesNotContain(module.Symbols, s => s.IsUndefined && s.Name is "lkmdispatch" or "lkmexists" or "lkm_nofunc");
    }

    [Fact]
    public void ReleaseSetsTheKernelDependencyAndOnlyFreeBsd14IsAccepted()
    {
        var bytes = Convert("cvmisc", "14.1");
        using var source = ModuleSource.FromMemory("cvmisc.ko", bytes);
        Assert.Equal(new FreeBsdDependRange(1401000, 1401000, 1499999), Assert.IsType<FreeBsdModuleDetails>(ModuleReader.Read(source)[0].Details).KernelRange);
        Assert.Contains("only 14.x", Assert.Throws<ConversionException>(() => Convert("cvmisc", "13.2")).Message);
        Assert.Contains("MAJOR[.MINOR]", Assert.Throws<ConversionException>(() => Convert("cvmisc", "14.x")).Message);
    }

    [Fact]
    public void ModeventCallsTheOldEntryWithTheTableTheEventPlusOneAndTheLkmVersion()
    {
        var module = ReadBack("cvmisc");
        var shim = module.Sections.Single(s => s.Name == ".text.lkmshim");
        ulong Value(string symbol) => module.Symbols.First(s => s.Name == symbol).Value;
        var code = Disassembly.Decode(shim.Data.ToArray(), shim.Address).TakeWhile(i => i.Code != Code.Int3).ToList();
        Assert.Equal(Value("cvmisc_modevent"), code[0].IP);
        Assert.Equal(
            ["mov eax,[esp+8]", "cmp eax,1", $"ja short {Hex(code[10].IP, 8)}", "inc eax", "push 1", "push eax", $"push {Hex(Value("lkm_table"))}",
                $"call {Hex(Value("cvmisc_lkmentry"), 8)}", "add esp,0Ch", "ret", "cmp eax,3", $"ja short {Hex(code[14].IP, 8)}", "xor eax,eax", "ret", "mov eax,2Dh", "ret"],
            code.Select(Disassembly.Format));
        // Linked at a base: push &lkm_table got its RELATIVE relocation, call entry was resolved when the image was made.
        var linked = Link("cvmisc");
        ulong moved = LinkHelper.Symbol(linked, "cvmisc_modevent") - code[0].IP;
        Assert.Equal((uint)LinkHelper.Symbol(linked, "lkm_table"), Word(linked, moved + code[6].IP + 1));
        Assert.Equal((uint)(LinkHelper.Symbol(linked, "cvmisc_lkmentry") - (moved + code[8].IP)), Word(linked, moved + code[7].IP + 1));
    }

    [Theory]
    [InlineData("cvsys", 210, 4, 4)]
    [InlineData("mysys", -1, 4, 4)]
    [InlineData("fbsys", 210, 4, 4)]
    [InlineData("obsys", 210, 4, 8)]
    [InlineData("nb4sys", 210, 16, 8)]
    public void SyscallDispatchRegistersTheSlotWithAThunkForTheOldHandler(string name, int slot, int sysentAfterOffset, int syCall)
    {
        var linked = Link(name);
        var kernel = File.ReadLines(KernelMap).Select(l => l.Split(' ')).ToDictionary(f => f[2], f => System.Convert.ToUInt32(f[0], 16));
        ulong dispatch = LinkHelper.Symbol(linked, "lkmdispatch"), thunk = LinkHelper.Symbol(linked, "lkm_syscall_thunk");
        var code = Disassembly.Decode(Bytes(linked, dispatch, 0x50), dispatch);
        var calls = code.Where(i => i.Mnemonic == Mnemonic.Call).Select(i => (uint)i.NearBranchTarget).ToList();
        Assert.Equal([kernel["syscall_register"], kernel["syscall_deregister"]], calls);
        // syscall_register(&descriptor.lkm_offset, &new_sysent, &old_sysent, 0): lkm_offset holds the slot (-1 = NO_SYSCALL).
        var pushes = code.Where(i => i.Mnemonic == Mnemonic.Push).Select(i => (uint)i.GetImmediate(0)).ToList();
        uint offsetField = pushes[3];
        Assert.Equal(slot, (int)Word(linked, offsetField));
        ulong newSysent = LinkHelper.Symbol(linked, "lkm_new_sysent");
        Assert.Equal([0u, (uint)LinkHelper.Symbol(linked, "lkm_old_sysent"), (uint)newSysent, offsetField, (uint)LinkHelper.Symbol(linked, "lkm_old_sysent"), offsetField], pushes);
        Assert.Equal((uint)thunk, Word(linked, newSysent)); // sy_call
        // The thunk calls the old sy_call read from the descriptor's lkm_sysent (after lkm_offset; NetBSD 4: 16 bytes on).
        var thunkCode = Disassembly.Decode(Bytes(linked, thunk, 0x20), thunk).TakeWhile(i => i.Code != Code.Int3).Select(Disassembly.Format).ToList();
        Assert.Equal(["sub esp,4", "mov eax,esp", "push eax", "push dword ptr [esp+10h]", "push dword ptr [esp+10h]",
            $"mov eax,[{Hex(offsetField + (uint)sysentAfterOffset)}]", $"call dword ptr [eax+{syCall}]", "add esp,10h", "ret"], thunkCode);
    }

    [Theory]
    [InlineData("mymisc", "16-bit relocation field")]
    [InlineData("mydev", "an LM_DEV LKM hands the kernel a struct cdevsw/bdevsw in the old layout")]
    [InlineData("myexec", "an LM_EXEC LKM hands the kernel a struct execsw in the old layout")]
    [InlineData("mycdev4", "make_dev")]
    [InlineData("fbvfs", "an LM_VFS LKM hands the kernel a struct vfsops/vfsconf")]
    [InlineData("fbdev", "an LM_DEV LKM")]
    [InlineData("fbexec", "an LM_EXEC LKM")]
    [InlineData("obvfs", "an LM_VFS LKM")]
    [InlineData("obdev", "an LM_DEV LKM")]
    [InlineData("obexec", "an LM_EXEC LKM")]
    [InlineData("nbvfs", "VFS_SET")]
    public void WhatCannotBeConvertedIsRefusedWithTheReason(string name, string reason)
    {
        var e = Assert.Throws<ConversionException>(() => Convert(name));
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [MemberData(nameof(Convertible))]
    public void MatchesTheCheckedGolden(string name)
    {
        var bytes = Convert(name);
        string golden = RepoPaths.TestData("golden", "convert", name + ".ko");
        if (Environment.GetEnvironmentVariable(Golden.UpdateVariable) == "1")
        {
            File.WriteAllBytes(golden, bytes);
        }

        Assert.Equal(File.ReadAllBytes(golden), bytes);
    }

    [Theory]
    [MemberData(nameof(Convertible))]
    public void TheFreeBsdLoaderModelLoadsAndUnloadsIt(string name)
    {
        using var f = new LoaderFixture();
        File.WriteAllBytes(Path.Combine(f.Modules, name + ".ko"), Convert(name));
        f.NewKernel(KernelOs.FreeBsd, "1402000", [KernelMap]).Dispose();
        var load = Assert.Single(f.Load(null, name));
        Assert.True(load.Result == "loaded", load.Message);
        Assert.Equal("unloaded", Assert.Single(f.Unload(false, name + ".ko")).Result);

        f.NewKernel(KernelOs.FreeBsd, "1302000", [KernelMap]).Dispose();
        Assert.Equal(Errno.ENOENT, Assert.Single(f.Load(null, name)).Errno); // MODULE_DEPEND(kernel) outside its range
    }

    [SkippableTheory]
    [MemberData(nameof(Convertible))]
    public void ReadelfObjdumpAndTheRelocationOracleAcceptTheImage(string name)
    {
        ExternalTool.Require("readelf", "llvm-objdump", "python3");
        string path = Temp(name, ".ko");
        try
        {
            File.WriteAllBytes(path, Convert(name));
            var (code, output, errors) = ExternalTool.RunWithErrors("readelf", "-a", "-W", path);
            Assert.True(code == 0 && errors.Length == 0, errors);
            Assert.DoesNotContain("warning", output, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("(HASH)", output);
            Assert.Contains("UNIX - FreeBSD", output);

            // readelf walks .hash from every bucket: each .dynsym symbol (but the null one) is on exactly one chain.
            int dynamicSymbols = (int)(ReadBack(name).Sections.Single(s => s.Name == ".dynsym").Size / 16);
            (code, output, errors) = ExternalTool.RunWithErrors("readelf", "-I", path);
            Assert.True(code == 0 && errors.Length == 0, errors);
            var histogram = output.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 2 && int.TryParse(f[0], out _) && int.TryParse(f[1], out _)).Select(f => int.Parse(f[0]) * int.Parse(f[1]));
            Assert.Equal(dynamicSymbols - 1, histogram.Sum());
            (code, output, errors) = ExternalTool.RunWithErrors("llvm-objdump", "-d", "-r", "--no-show-raw-insn", path);
            Assert.True(code == 0, errors);
            Assert.Matches($@"<{name}_modevent>:", output);
            Assert.Matches(@"<lkmdispatch>:", output);

            // Every dynamic relocation as an oracle reading the file only through readelf computes it.
            var linked = Link(name);
            (code, output, errors) = ExternalTool.RunWithErrors("python3", Path.Combine(RepoPaths.Root, "scripts", "fbsd-dyn-oracle.py"), path, $"0x{Base:x}", KernelMap);
            Assert.True(code == 0, errors);
            var lines = output.TrimEnd('\n').Split('\n');
            Assert.Equal($"TOTAL relocations={linked.RelocationCount} base=0x{Base:x}", lines[^1]);
            foreach (var line in lines[..^1])
            {
                var field = line.Split(' ');
                Assert.True(field[1].StartsWith("0x", StringComparison.Ordinal), line);
                Assert.Equal(System.Convert.ToUInt32(field[1], 16), Word(linked, System.Convert.ToUInt64(field[0], 16)));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// ld.lld links the relocatable intermediate the way kmod.mk does (<c>-shared -z notext --hash-style=sysv</c>); both
    /// images, linked at the same base, hold the same bytes for every input section (found in lld's image through its
    /// <c>-Map</c>), where each relocated word points at the same place (input section and offset, or kernel address).
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Convertible))]
    public void LldLinksTheIntermediateIntoAnEquivalentImage(string name)
    {
        ExternalTool.Require("ld.lld");
        string intermediate = Temp(name, ".kld"), lld = Temp(name, ".lld.ko"), map = Temp(name, ".lld.map");
        try
        {
            using (var file = ModuleReader.Open(RepoPaths.TestData("lkm", name + ".o")))
            {
                File.WriteAllBytes(intermediate, LkmConverter.FreeBsdIntermediate(file.Modules[0], new ConversionOptions { Target = ConversionTarget.FreeBsd }));
            }

            var (code, _, errors) = ExternalTool.RunWithErrors("ld.lld", "-shared", "-z", "notext", "--hash-style=sysv", "-m", "elf_i386", "-Map=" + map, intermediate, "-o", lld);
            Assert.True(code == 0, errors);
            var ours = Link(name);
            var theirs = LinkFile(lld);
            var ourPlaces = ours.Sections.Where(s => s.Size > 0).Select(s => (s.Name, Start: s.Address, s.Size)).ToList();
            var theirPlaces = InputSections(map, Path.GetFileName(intermediate)).Select(p => (p.Name, Start: Base + p.Address, p.Size)).ToList();
            using var input = ModuleReader.Open(intermediate);
            var relocatable = input.Modules[0];
            int compared = 0;
            foreach (var section in relocatable.Sections.Where(s => s.IsAllocated && s.HasContents && s.Size > 0))
            {
                var (_, ourStart, size) = ourPlaces.Single(p => p.Name == section.Name);
                var (_, theirStart, theirSize) = theirPlaces.Single(p => p.Name == section.Name);
                Assert.Equal(size, theirSize);
                byte[] a = Bytes(ours, ourStart, (int)size), b = Bytes(theirs, theirStart, (int)size);
                var fields = new HashSet<int>();
                foreach (var r in relocatable.RelocationSections.Where(t => t.TargetSectionIndex == section.Index).SelectMany(t => t.Relocations))
                {
                    int at = (int)r.Offset;
                    fields.UnionWith(Enumerable.Range(at, 4));
                    Assert.Equal(Where(ourPlaces, a, ourStart, at, r.RawType, r.Addend), Where(theirPlaces, b, theirStart, at, r.RawType, r.Addend));
                    compared++;
                }

                Assert.True(Enumerable.Range(0, a.Length).Where(i => !fields.Contains(i)).All(i => a[i] == b[i]), section.Name);
            }

            Assert.True(compared > 20, $"{compared} relocations compared");
        }
        finally
        {
            File.Delete(intermediate);
            File.Delete(lld);
            File.Delete(map);
        }
    }

    /// <summary>The input sections of <paramref name="file"/> in an ld.lld map: "VMA LMA Size Align ... file:(name)".</summary>
    private static IEnumerable<(string Name, ulong Address, ulong Size)> InputSections(string map, string file)
    {
        foreach (var line in File.ReadLines(map))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 5 && f[4].Contains(file + ":(", StringComparison.Ordinal))
            {
                string name = f[4][(f[4].IndexOf(":(", StringComparison.Ordinal) + 2)..^1];
                yield return (name, System.Convert.ToUInt64(f[0], 16), System.Convert.ToUInt64(f[2], 16));
            }
        }
    }

    /// <summary>Where a relocated word points (S, without the addend): "section+offset" (a section's end counts when nothing starts there), else the address.</summary>
    private static string Where(List<(string Name, ulong Start, ulong Size)> places, byte[] bytes, ulong start, int at, uint type, long addend)
    {
        uint word = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at));
        ulong target = (uint)((type == 2 ? word + start + (uint)at : word) - (ulong)addend);
        var inside = places.FirstOrDefault(p => target >= p.Start && target < p.Start + p.Size);
        inside = inside.Name is null ? places.FirstOrDefault(p => target == p.Start + p.Size) : inside;
        return inside.Name is null ? $"0x{target:x}" : $"{inside.Name}+0x{target - inside.Start:x}";
    }

    private static byte[] Convert(string name, string? release = null)
    {
        using var file = ModuleReader.Open(RepoPaths.TestData("lkm", name + ".o"));
        return LkmConverter.Convert(file.Modules[0], new ConversionOptions { Target = ConversionTarget.FreeBsd, Release = release });
    }

    private static KernelModule ReadBack(string name) => ModuleReader.Read(ModuleSource.FromMemory(name + ".ko", Convert(name)))[0];

    private static LinkedModule Link(string name)
    {
        string path = Temp(name, ".link.ko");
        try
        {
            File.WriteAllBytes(path, Convert(name));
            return LinkFile(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static LinkedModule LinkFile(string path)
    {
        var kernel = new KernelSymbols();
        kernel.Add(SymbolFileLoader.Load(KernelMap));
        using var file = ModuleReader.Open(path);
        return new ModuleLinker(kernel, new LinkOptions { Base = Base }).Link([file.Modules[0]]).Modules[0];
    }

    private static uint Word(LinkedModule module, ulong address) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(module, address, 4));

    private static byte[] Bytes(LinkedModule module, ulong address, int length)
    {
        var s = module.Sections.Single(s => address >= s.Address && address < s.Address + s.Size);
        int at = (int)(address - s.Address);
        return s.Data.AsSpan(at, Math.Min(length, s.Data.Length - at)).ToArray();
    }

    /// <summary>A number as Iced's Intel formatter writes it: hexadecimal, a leading 0 before a letter, suffix h.</summary>
    private static string Hex(ulong value, int width = 1)
    {
        string digits = value.ToString("X" + width, System.Globalization.CultureInfo.InvariantCulture);
        return (char.IsLetter(digits[0]) ? "0" : "") + digits + "h";
    }

    private static string Temp(string name, string suffix) => Path.Combine(Path.GetTempPath(), $"lkmkit-fbsd-{Environment.ProcessId}-{name}{suffix}");
}
