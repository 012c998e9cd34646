using System.Globalization;
using System.Text;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.Model;
using static Iced.Intel.AssemblerRegisters;

namespace LkmKit.Linker.Converting;

/// <summary>
/// A legacy LKM as the relocatable input of a FreeBSD 14 i386 kld (what <c>ld -r</c> gives kmod.mk before
/// <c>ld -Bshareable</c>; <see cref="FreeBsdSharedImage"/> makes the ET_DYN): the LKM's sections and what
/// <c>DECLARE_MODULE(name, name_mod, SI_SUB_DRIVERS, SI_ORDER_MIDDLE)</c> plus <c>MODULE_VERSION(name, 1)</c> emit —
/// a <c>moduledata_t</c>, <c>struct mod_metadata</c> records MDT_DEPEND("kernel"), MDT_MODULE and MDT_VERSION pointed to
/// from <c>set_modmetadata_set</c>, and a <c>struct sysinit</c> calling <c>module_register_init</c> pointed to from
/// <c>set_sysinit_set</c> — with the shim: <c>NAME_modevent</c> maps MOD_LOAD/MOD_UNLOAD to LKM_E_LOAD/UNLOAD calls of
/// the old entry (a zeroed <c>struct lkm_table</c>, <c>private</c> already pointing at the descriptor), and local
/// <c>lkmdispatch</c>, <c>lkmexists</c>, <c>lkm_nofunc</c>, <c>lkm_nullcmd</c>. A system-call LKM's
/// <c>lkmdispatch</c> registers its slot with <c>syscall_register</c> (as SYSCALL_MODULE's handler does; lkm_offset −1
/// is FreeBSD's NO_SYSCALL, a free slot) through a thunk giving the old three-argument handler a result word.
/// </summary>
internal static class FreeBsdConversion
{
    private const int MdtStructVersion = 1, MdtDepend = 1, MdtModule = 2, MdtVersion = 3;
    private const int SiSubDrivers = 0x3100000, SiSubSyscalls = 0xd800000, SiOrderMiddle = 0x1000000;
    private const int EOpNotSupp = 45, MaxModuleName = 31;
    private const string DefaultRelease = "14.2";

    // FreeBSD 14 i386: struct sysinit { subsystem; order; STAILQ_ENTRY next; func; udata } (the link field arrived in
    // 14.0); struct sysent { sy_call; sy_systrace_args_func; u_int8_t sy_narg; sy_flags; au_event_t; entry; return; thrcnt }.
    private const int SysinitSize = 20, SysentSize = 24, SysentNarg = 8;

    public static RelocatableObject Build(KernelModule module, LkmModuleDetails details, ConversionOptions options)
    {
        string name = module.Name!;
        if (Encoding.UTF8.GetByteCount(name) > MaxModuleName)
        {
            throw new ConversionException($"module name {name} is longer than FreeBSD's {MaxModuleName} characters (MAXMODNAMELEN 32)");
        }

        CheckKind(details.Kind);
        int version = FreeBsdVersion(options.Release ?? DefaultRelease);
        var o = new RelocatableObject();
        var lkm = LkmShim.Start(module, details, o);
        var (shim, data) = (lkm.Text, lkm.Data);
        var rodata = o.AddSection(".rodata", ElfConstants.ShtProgBits, ElfConstants.ShfAlloc, 1);
        var metadataSet = o.AddSection("set_modmetadata_set", ElfConstants.ShtProgBits, ElfConstants.ShfAlloc, 4);
        var sysinitSet = o.AddSection("set_sysinit_set", ElfConstants.ShtProgBits, ElfConstants.ShfAlloc, 4);
        var table = lkm.AddLkmTable();

        // NAME_modevent(module_t mod, int what, void *arg): MOD_LOAD 0 / MOD_UNLOAD 1 → entry(&table, what + 1, version);
        // MOD_SHUTDOWN 2 / MOD_QUIESCE 3 → 0 (nothing to do; unload may go on); anything else → EOPNOTSUPP.
        var asm = new ShimAssembler();
        var a = asm.Code;
        var other = a.CreateLabel();
        var unsupported = a.CreateLabel();
        a.mov(eax, __dword_ptr[esp + 8]);
        a.cmp(eax, 1);
        a.ja(other);
        a.inc(eax);
        lkm.CallEntry(asm, table);
        a.ret();
        a.Label(ref other);
        a.cmp(eax, 3);
        a.ja(unsupported);
        a.xor(eax, eax);
        a.ret();
        a.Label(ref unsupported);
        a.mov(eax, EOpNotSupp);
        a.ret();
        var modevent = o.Define(new($"{name}_modevent", null, 0, ElfConstants.StbLocal, ElfConstants.SttFunc, 0), shim, asm.EmitInto(shim));

        EmitDispatch(lkm, details);
        lkm.DefineReturningZero(LkmShim.Helpers.Skip(1));

        int nameAt = rodata.Append(Encoding.UTF8.GetBytes(name + "\0"));
        int kernelAt = rodata.Append("kernel\0"u8);

        // moduledata_t { name, evhand, priv = NULL }
        int moduleDataAt = data.Append(new byte[12], 4);
        var moduleData = o.AddSymbol(new($"{name}_mod", data, (ulong)moduleDataAt, ElfConstants.StbLocal, ElfConstants.SttObject, 12));
        data.WritePointer(moduleDataAt, rodata.SectionSymbol!, nameAt);
        data.WritePointer(moduleDataAt + 4, shim.SectionSymbol!, (int)modevent.Value);

        // MODULE_DEPEND(name, kernel, V, V, MAXVER) as DECLARE_MODULE makes it, and MODULE_VERSION(name, 1).
        int dependAt = data.Append(new byte[12], 4);
        data.WriteWord((ulong)dependAt, version);
        data.WriteWord((ulong)dependAt + 4, version);
        data.WriteWord((ulong)dependAt + 8, (version / 100_000 * 100_000) + 99_999);
        o.AddSymbol(new($"_{name}_depend_on_kernel", data, (ulong)dependAt, ElfConstants.StbLocal, ElfConstants.SttObject, 12));
        int versionAt = data.Append(new byte[4], 4);
        data.WriteWord((ulong)versionAt, 1);
        o.AddSymbol(new($"_{name}_version", data, (ulong)versionAt, ElfConstants.StbLocal, ElfConstants.SttObject, 4));

        (int Type, int Data, int Name, string Symbol)[] records =
        [
            (MdtDepend, dependAt, kernelAt, $"_mod_metadata_md_{name}_on_kernel"),
            (MdtModule, moduleDataAt, nameAt, $"_mod_metadata_md_{name}"),
            (MdtVersion, versionAt, nameAt, $"_mod_metadata_{name}_version"),
        ];
        foreach (var (type, recordData, recordName, symbol) in records)
        {
            int at = data.Append(new byte[16], 4);
            data.WriteWord((ulong)at, MdtStructVersion);
            data.WriteWord((ulong)at + 4, type);
            data.WritePointer(at + 8, data.SectionSymbol!, recordData);
            data.WritePointer(at + 12, rodata.SectionSymbol!, recordName);
            var record = o.AddSymbol(new(symbol, data, (ulong)at, ElfConstants.StbLocal, ElfConstants.SttObject, 16));
            int slot = metadataSet.Append(new byte[4], 4);
            metadataSet.Relocations.Add(((ulong)slot, record, RelocatableObject.R386_32));
        }

        // SYSINIT(namemodule, sub, SI_ORDER_MIDDLE, module_register_init, &name_mod)
        int sysinitAt = data.Append(new byte[SysinitSize], 4);
        data.WriteWord((ulong)sysinitAt, details.Kind == LkmModuleKind.Syscall ? SiSubSyscalls : SiSubDrivers);
        data.WriteWord((ulong)sysinitAt + 4, SiOrderMiddle);
        data.WritePointer(sysinitAt + 12, o.Import("module_register_init"), 0);
        data.WritePointer(sysinitAt + 16, moduleData, 0);
        var sysinit = o.AddSymbol(new($"{name}module_sys_init", data, (ulong)sysinitAt, ElfConstants.StbLocal, ElfConstants.SttObject, SysinitSize));
        sysinitSet.Append(new byte[4]);
        sysinitSet.Relocations.Add((0, sysinit, RelocatableObject.R386_32));

        // The linker-set bounds link_elf looks up by name; ld defines them for sections named like C identifiers.
        foreach (var set in new[] { metadataSet, sysinitSet })
        {
            o.Import("__start_" + set.Name);
            o.Import("__stop_" + set.Name);
        }

        return o;
    }

    /// <summary>LM_MISC and LM_SYSCALL convert; the types whose kernel tables changed shape are refused.</summary>
    internal static void CheckKind(LkmModuleKind kind)
    {
        string? table = kind switch
        {
            LkmModuleKind.Misc or LkmModuleKind.Syscall => null,
            LkmModuleKind.Vfs => "a struct vfsops/vfsconf in the old layout (FreeBSD 14 registers file systems through VFS_SET with a struct vfsconf and struct vfsops of another shape)",
            LkmModuleKind.Device => "a struct cdevsw/bdevsw in the old layout (FreeBSD 14 creates devices with make_dev and a struct cdevsw of another shape, and has no block devices)",
            LkmModuleKind.Exec => "a struct execsw in the old layout (FreeBSD 14's EXEC_SET takes a struct execsw of another shape)",
            _ => null,
        };
        if (table is not null)
        {
            throw new ConversionException($"an {LkmTypes.ConstantName(kind)} LKM hands the kernel {table}; it needs a source port, not a binary conversion");
        }

        if (kind is not (LkmModuleKind.Misc or LkmModuleKind.Syscall))
        {
            throw new ConversionException($"an {LkmTypes.ConstantName(kind)} LKM has no FreeBSD kld analogue");
        }
    }

    /// <summary>lkmdispatch(lkmtp, cmd): nothing for LM_MISC; for LM_SYSCALL, syscall_register/syscall_deregister.</summary>
    private static void EmitDispatch(LkmShim lkm, LkmModuleDetails details)
    {
        var (o, shim, data, dispatch, descriptor) = (lkm.Object, lkm.Text, lkm.Data, lkm.Provided["lkmdispatch"], lkm.Descriptor);
        if (details.Kind != LkmModuleKind.Syscall)
        {
            lkm.DefineReturningZero(["lkmdispatch"]); // LM_MISC: the module wires itself up
            return;
        }

        var asm = new ShimAssembler();
        var a = asm.Code;

        // Old descriptor: lkm_offset (int) at 12 and lkm_sysent (struct sysent *) at 16 after the classic header; at 8
        // and 24 in NetBSD 4's. Old struct sysent: sy_narg in the low half of its first word (short on NetBSD/OpenBSD,
        // int on FreeBSD 2.x), then sy_call.
        bool netbsd4 = details.Layout == LkmHeaderLayout.NetBsd4;
        int sysentField = (int)descriptor.Offset + (netbsd4 ? 24 : 16);
        int offsetField = (int)descriptor.Offset + (netbsd4 ? 8 : 12);
        int oldCall = LkmConverter.OldSysentCallOffset(details);
        var descriptorSymbol = descriptor.Section.SectionSymbol!;

        // int lkm_syscall_thunk(struct thread *td, void *uap): old_call(td, uap, &result). The old handler's third
        // argument is where it stores its result; FreeBSD keeps results in td->td_retval, so that word is scratch.
        var thunkCode = new ShimAssembler();
        var t = thunkCode.Code;
        t.sub(esp, 4);
        t.mov(eax, esp);
        t.push(eax);
        t.push(__dword_ptr[esp + 16]);
        t.push(__dword_ptr[esp + 16]);
        t.mov(eax, __dword_ptr[thunkCode.Address(descriptorSymbol, sysentField)]);
        t.call(__dword_ptr[eax + oldCall]);
        t.add(esp, 16);
        t.ret();
        var thunk = o.Define(new("lkm_syscall_thunk", null, 0, ElfConstants.StbLocal, ElfConstants.SttFunc, 0), shim, thunkCode.EmitInto(shim));

        int newAt = data.Append(new byte[SysentSize], 4);
        var newSysent = o.AddSymbol(new("lkm_new_sysent", data, (ulong)newAt, ElfConstants.StbLocal, ElfConstants.SttObject, SysentSize));
        data.WritePointer(newAt, shim.SectionSymbol!, (int)thunk.Value);
        int oldAt = data.Append(new byte[SysentSize], 4);
        var oldSysent = o.AddSymbol(new("lkm_old_sysent", data, (ulong)oldAt, ElfConstants.StbLocal, ElfConstants.SttObject, SysentSize));

        var register = o.Import("syscall_register");
        var deregister = o.Import("syscall_deregister");
        var load = a.CreateLabel();
        var unload = a.CreateLabel();
        LkmShim.SwitchOnDispatchCommand(a, load, unload);
        a.Label(ref load);
        a.mov(eax, __dword_ptr[asm.Address(descriptorSymbol, sysentField)]);
        a.movzx(eax, __word_ptr[eax]);
        a.mov(__byte_ptr[asm.Address(newSysent, SysentNarg)], al);
        a.push(0);
        a.push(asm.Address(oldSysent));
        a.push(asm.Address(newSysent));
        a.push(asm.Address(descriptorSymbol, offsetField));
        a.call(asm.Address(register));
        a.add(esp, 16);
        a.ret();
        a.Label(ref unload);
        a.push(asm.Address(oldSysent));
        a.push(asm.Address(descriptorSymbol, offsetField));
        a.call(asm.Address(deregister));
        a.add(esp, 8);
        a.ret();
        o.Define(dispatch, shim, asm.EmitInto(shim));
    }

    /// <summary>__FreeBSD_version of a 14.x release: <c>MMmm000</c> (14.2 → 1402000).</summary>
    internal static int FreeBsdVersion(string release)
    {
        var parts = release.Split('.');
        if (parts.Length is < 1 or > 2 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n < 100))
        {
            throw new ConversionException($"FreeBSD release {release} is not MAJOR[.MINOR] (e.g. 14.2)");
        }

        int major = int.Parse(parts[0], CultureInfo.InvariantCulture), minor = parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0;
        if (major != 14)
        {
            throw new ConversionException($"FreeBSD {release}: only 14.x is supported, the i386 release whose struct sysinit (with its 14.0 link field) and struct sysent layouts the converter emits");
        }

        return (major * 100_000) + (minor * 1000);
    }
}
