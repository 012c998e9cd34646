using System.Text;
using Iced.Intel;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Elf.Writing;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.Model;
using static Iced.Intel.AssemblerRegisters;

namespace LkmKit.Linker.Converting;

/// <summary>
/// A legacy LM_MISC LKM as a Linux i386 <c>.ko</c> (ET_REL) for the kernel the <c>--like</c> modules were built for:
/// the LKM's sections; <c>.modinfo</c> as modpost writes it; <c>__versions</c> with the reference's CRCs;
/// <c>.gnu.linkonce.this_module</c> in that kernel's <c>struct module</c> layout, its <c>init</c>/<c>exit</c> relocated
/// to the shims; and the shims: <c>init_module</c>/<c>cleanup_module</c> call the old entry with LKM_E_LOAD/UNLOAD
/// through a zeroed <c>struct lkm_table</c> (init returns the old entry's errno negated; cleanup, which cannot refuse,
/// logs a refusal with printk), with local
/// <c>lkmdispatch</c>, <c>lkmexists</c>, <c>lkm_nofunc</c>, <c>lkm_nullcmd</c> that return 0.
/// </summary>
internal static class LinuxConversion
{
    /// <summary>The licence declared when none is given: the converter cannot know the LKM's, so it claims no GPL compatibility.</summary>
    public const string DefaultLicense = "Proprietary";

    /// <summary>KERN_SOH "4": printk's warning level prefix.</summary>
    private const string KernWarning = "\u0001" + "4";

    private const int LkmELoad = 1, LkmEUnload = 2, VersionRecordSize = 64;

    public static ElfFileDescription Build(KernelModule module, LkmModuleDetails details, ConversionOptions options)
    {
        RefuseUnconvertible(details.Kind); // before --like is read: the reason does not depend on the target kernel
        return Build(module, details, options, LinuxReference.Read(options.Like));
    }

    /// <summary>The conversion for a target kernel already read from its reference modules.</summary>
    internal static ElfFileDescription Build(KernelModule module, LkmModuleDetails details, ConversionOptions options, LinuxReference reference)
    {
        string name = ModuleName(module.Name!);
        if (options.Release is { } release && release != reference.Release)
        {
            throw new ConversionException($"--release {release} is not the release of the --like module's kernel ({reference.Release}); struct module and the CRCs come from that kernel");
        }

        string license = options.License ?? DefaultLicense;
        if (license.Length == 0 || license.Contains('\0'))
        {
            throw new ConversionException("--license must be a non-empty string without NUL");
        }

        if (module.Symbols.FirstOrDefault(s => AOutObjectImport.ElfName(s.Name) is "init_module" or "cleanup_module" or "__this_module") is { } clash)
        {
            throw new ConversionException($"the LKM has a symbol {clash.Name}, a name the Linux module's own shims and struct module take");
        }

        var o = new RelocatableObject();
        var alsoProvided = new Dictionary<string, RelocatableObject.Symbol>(StringComparer.Ordinal);
        if (module.Symbols.Any(s => s.IsUndefined && AOutObjectImport.ElfName(s.Name) == "printf"))
        {
            alsoProvided["printf"] = o.Import(PrintkName(reference.Release));
        }

        var lkm = LkmShim.Start(module, details, o, alsoProvided);
        var shim = lkm.Text;
        var shimRodata = o.AddSection(".rodata.lkmshim", ElfConstants.ShtProgBits, ElfConstants.ShfAlloc, 1);
        var modinfo = o.AddSection(".modinfo", ElfConstants.ShtProgBits, ElfConstants.ShfAlloc, 1);
        var versions = o.AddSection("__versions", ElfConstants.ShtProgBits, ElfConstants.ShfAlloc, reference.VersionsAlignment);
        var thisModule = o.AddSection(LinuxModuleReader.ThisModuleSection, ElfConstants.ShtProgBits, ElfConstants.ShfAlloc | ElfConstants.ShfWrite, reference.StructModuleAlignment);

        var table = lkm.AddLkmTable();
        var init = EmitInit(o, shim, table, lkm.Entry, lkm.InterfaceVersion);
        var exit = EmitCleanup(o, shim, shimRodata, table, lkm.Entry, lkm.InterfaceVersion, name, PrintkName(reference.Release));
        lkm.DefineReturningZero(LkmShim.Helpers);

        bool retpoline = reference.Retpoline && !HasIndirectBranch(lkm.Lkm.Text) && !HasIndirectBranch(shim);
        modinfo.Append(Modinfo(license, retpoline, name, reference.VersionMagic));
        if (reference.ModVersions)
        {
            versions.Append(Versions(o, reference));
        }

        EmitStructModule(o, thisModule, reference, name, init, exit);
        return o.Describe(ElfConstants.OsAbiNone);
    }

    /// <summary>The reference's struct module with our name, init/exit relocated to the shims, and <c>__this_module</c>.</summary>
    private static void EmitStructModule(RelocatableObject o, RelocatableObject.Section section, LinuxReference reference, string name,
        RelocatableObject.Symbol init, RelocatableObject.Symbol exit)
    {
        var layout = (byte[])reference.StructModule.Clone();
        Array.Clear(layout, reference.NameOffset, LinuxReference.NameFieldLength);
        Encoding.UTF8.GetBytes(name).CopyTo(layout, reference.NameOffset);
        section.Append(layout);
        section.Relocations.Add((reference.InitOffset, init, RelocatableObject.R386_32));
        section.Relocations.Add((reference.ExitOffset, exit, RelocatableObject.R386_32));
        o.AddSymbol(new("__this_module", section, 0, ElfConstants.StbGlobal, ElfConstants.SttObject, (ulong)layout.Length));
    }

    /// <summary>Refuses the LKM types whose kernel interface Linux has no binary-compatible analogue of.</summary>
    internal static void RefuseUnconvertible(LkmModuleKind kind)
    {
        string? reason = kind switch
        {
            LkmModuleKind.Misc => null,
            LkmModuleKind.Syscall => "Linux has no interface for installing a system call from a module: no kernel function registers a system-call slot, "
                + "and sys_call_table is neither exported to modules (not since 2.6) nor writable (it is const, in read-only data); it needs a source port, e.g. to a character device",
            LkmModuleKind.Device => "it hands the kernel a struct cdevsw/bdevsw in the old BSD layout; Linux registers devices with register_chrdev/register_blkdev and "
                + "struct file_operations/block_device_operations, a different interface; it needs a source port",
            LkmModuleKind.Vfs => "it hands the kernel a struct vfsops; Linux registers file systems with register_filesystem and struct file_system_type, "
                + "a different interface; it needs a source port",
            LkmModuleKind.Exec => "it hands the kernel a struct execsw; Linux registers executable formats with register_binfmt and struct linux_binfmt, "
                + "a different interface; it needs a source port",
            _ => "Linux has no analogue of that module type",
        };
        if (reason is not null)
        {
            throw new ConversionException($"{LkmTypes.ConstantName(kind)}: this {LkmTypes.KindName(kind)} LKM cannot become a Linux module: {reason} (only LM_MISC LKMs, which wire themselves up, are converted)");
        }
    }

    /// <summary>The Linux module name: the LKM's, '-' read as '_' as kbuild's KBUILD_MODNAME does.</summary>
    internal static string ModuleName(string lkmName)
    {
        string name = lkmName.Replace('-', '_');
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ConversionException($"module name {lkmName} has characters a Linux module name cannot (letters, digits and '_' only)");
        }

        if (Encoding.UTF8.GetByteCount(name) >= LinuxReference.NameFieldLength)
        {
            throw new ConversionException($"module name {lkmName} is longer than Linux's {LinuxReference.NameFieldLength - 1} characters (MODULE_NAME_LEN {LinuxReference.NameFieldLength} on i386)");
        }

        return name;
    }

    /// <summary>
    /// The kernel's printk symbol, which a BSD kernel's printf becomes: both take a format and variadic arguments on the
    /// stack (asmlinkage), so the LKM's calls work unchanged. Linux 5.15 renamed the exported function to <c>_printk</c>.
    /// </summary>
    internal static string PrintkName(string release)
    {
        var parts = release.Split('.', '-');
        bool renamed = parts.Length >= 2 && int.TryParse(parts[0], out int major) && int.TryParse(parts[1], out int minor)
            && (major > 5 || (major == 5 && minor >= 15));
        return renamed ? "_printk" : "printk";
    }

    /// <summary><c>int init_module(void)</c>: −entry(&amp;lkm_table, LKM_E_LOAD, LKM_VERSION), the −errno Linux wants.</summary>
    private static RelocatableObject.Symbol EmitInit(RelocatableObject o, RelocatableObject.Section shim,
        RelocatableObject.Symbol table, RelocatableObject.Symbol entry, int version)
    {
        var asm = new ShimAssembler();
        var a = asm.Code;
        a.push(version);
        a.push(LkmELoad);
        a.push(asm.Address(table));
        a.call(asm.Address(entry));
        a.add(esp, 12);
        a.neg(eax);
        a.ret();
        int at = asm.EmitInto(shim);
        return o.AddSymbol(new("init_module", shim, (ulong)at, ElfConstants.StbGlobal, ElfConstants.SttFunc, (ulong)(shim.Bytes.Count - at)));
    }

    /// <summary>
    /// <c>void cleanup_module(void)</c>: entry(&amp;lkm_table, LKM_E_UNLOAD, LKM_VERSION). Linux's exit cannot refuse, so an
    /// LKM that does (a non-zero errno) is unloaded all the same, and printk says so at KERN_WARNING.
    /// </summary>
    private static RelocatableObject.Symbol EmitCleanup(RelocatableObject o, RelocatableObject.Section shim, RelocatableObject.Section rodata,
        RelocatableObject.Symbol table, RelocatableObject.Symbol entry, int version, string name, string printk)
    {
        int messageAt = rodata.Append(Encoding.UTF8.GetBytes($"{KernWarning}{name}: the LKM refused LKM_E_UNLOAD (errno %d); unloaded anyway\n\0"));
        var message = o.AddSymbol(new("lkm_unload_refused", rodata, (ulong)messageAt, ElfConstants.StbLocal, ElfConstants.SttObject, (ulong)(rodata.Bytes.Count - messageAt)));
        var asm = new ShimAssembler();
        var a = asm.Code;
        var done = a.CreateLabel();
        a.push(version);
        a.push(LkmEUnload);
        a.push(asm.Address(table));
        a.call(asm.Address(entry));
        a.add(esp, 12);
        a.test(eax, eax);
        a.je(done);
        a.push(eax);
        a.push(asm.Address(message));
        a.call(asm.Address(o.Import(printk)));
        a.add(esp, 8);
        a.Label(ref done);
        a.ret();
        int at = asm.EmitInto(shim);
        return o.AddSymbol(new("cleanup_module", shim, (ulong)at, ElfConstants.StbGlobal, ElfConstants.SttFunc, (ulong)(shim.Bytes.Count - at)));
    }

    /// <summary>The <c>.modinfo</c> strings in modpost's order; no <c>intree</c> (the module was not built in a kernel tree).</summary>
    private static byte[] Modinfo(string license, bool retpoline, string name, string vermagic)
    {
        var text = new StringBuilder();
        text.Append("license=").Append(license).Append('\0').Append("depends=\0");
        if (retpoline)
        {
            text.Append("retpoline=Y\0");
        }

        text.Append("name=").Append(name).Append('\0').Append("vermagic=").Append(vermagic).Append('\0');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>
    /// <c>__versions</c>: each kernel symbol the module imports that a reference has a CRC for, then <c>module_layout</c>,
    /// as 64-byte records {u32 crc; char name[60]}. Imports no reference lists get no record.
    /// </summary>
    private static byte[] Versions(RelocatableObject o, LinuxReference reference)
    {
        var names = o.Imports().Select(s => s.Name).Where(n => n != "module_layout" && reference.Crcs.ContainsKey(n) && Encoding.UTF8.GetByteCount(n) < VersionRecordSize - 4).ToList();
        names.Add("module_layout"); // last, where modpost puts it
        var bytes = new byte[names.Count * VersionRecordSize];
        for (int i = 0; i < names.Count; i++)
        {
            var record = bytes.AsSpan(i * VersionRecordSize, VersionRecordSize);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(record, reference.Crcs[names[i]]);
            Encoding.UTF8.GetBytes(names[i], record[4..]);
        }

        return bytes;
    }

    /// <summary>Whether the code has an indirect call or jump, which a retpoline kernel wants through its thunks.</summary>
    private static bool HasIndirectBranch(RelocatableObject.Section code)
    {
        var bytes = code.Bytes.ToArray();
        var decoder = Iced.Intel.Decoder.Create(32, bytes, 0);
        while (decoder.IP < (ulong)bytes.Length)
        {
            var instruction = decoder.Decode();
            if (instruction.FlowControl is FlowControl.IndirectBranch or FlowControl.IndirectCall)
            {
                return true;
            }
        }

        return false;
    }
}
