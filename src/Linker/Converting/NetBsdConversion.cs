using System.Globalization;
using System.Text;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Elf.Writing;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.Model;
using static Iced.Intel.AssemblerRegisters;

namespace LkmKit.Linker.Converting;

/// <summary>
/// A legacy LKM as a NetBSD module(7) <c>.kmod</c> (ET_REL): the LKM's sections, a <c>modinfo_t</c> in
/// <c>.rodata</c> pointed to from <c>link_set_modules</c>, and the shim: <c>NAME_modcmd</c> turns MODULE_CMD_INIT/FINI/STAT
/// into LKM_E_LOAD/UNLOAD/STAT calls of the old entry with a zeroed <c>struct lkm_table</c> (its <c>private</c> already
/// pointing at the descriptor, at the offset the LKM's header layout puts it), and local definitions of
/// <c>lkmdispatch</c>, <c>lkmexists</c> and <c>lkm_nofunc</c> the old code calls. A system-call LKM's
/// <c>lkmdispatch</c> establishes and removes its slot with <c>syscall_establish</c>/<c>syscall_disestablish</c>.
/// </summary>
internal static class NetBsdConversion
{
    private const int ModuleClassMisc = 1, ModuleClassVfs = 2, ModuleClassDriver = 3, ModuleClassExec = 4;
    private const int ENotTy = 25, MaxModuleName = 31;
    private const string DefaultRelease = "10.0";

    public static ElfFileDescription Build(KernelModule module, LkmModuleDetails details, ConversionOptions options)
    {
        string name = module.Name!;
        if (Encoding.UTF8.GetByteCount(name) > MaxModuleName)
        {
            throw new ConversionException($"module name {name} is longer than NetBSD's {MaxModuleName} characters (MAXMODNAME 32)");
        }

        int moduleClass = ModuleClass(details.Kind);
        uint version = ParseRelease(options.Release ?? DefaultRelease);
        var o = new RelocatableObject();
        var lkm = LkmShim.Start(module, details, o);
        var shim = lkm.Text;
        var rodata = o.AddSection(".rodata", ElfConstants.ShtProgBits, ElfConstants.ShfAlloc, 4);
        var linkSet = o.AddSection("link_set_modules", ElfConstants.ShtProgBits, ElfConstants.ShfAlloc | ElfConstants.ShfWrite, 4);
        var table = lkm.AddLkmTable();

        // NAME_modcmd(modcmd_t cmd, void *arg): INIT 0 / FINI 1 / STAT 2 → entry(&table, cmd + 1, version); others ENOTTY.
        var asm = new ShimAssembler();
        var a = asm.Code;
        var modcmdLabel = a.CreateLabel();
        var notty = a.CreateLabel();
        a.Label(ref modcmdLabel);
        a.mov(eax, __dword_ptr[esp + 4]);
        a.cmp(eax, 2);
        a.ja(notty);
        a.inc(eax);
        lkm.CallEntry(asm, table);
        a.ret();
        a.Label(ref notty);
        a.mov(eax, ENotTy);
        a.ret();
        int modcmdAt = asm.EmitInto(shim);
        var modcmd = o.AddSymbol(new($"{name}_modcmd", shim, (ulong)modcmdAt, ElfConstants.StbLocal, ElfConstants.SttFunc, (ulong)(shim.Bytes.Count - modcmdAt)));

        EmitDispatch(lkm, details);
        lkm.DefineReturningZero(LkmShim.Helpers.Skip(1));

        // modinfo_t { mi_version, mi_class, mi_modcmd, mi_name, mi_required = NULL } and its link-set entry.
        int nameAt = rodata.Append(Encoding.UTF8.GetBytes(name + "\0"));
        int infoAt = rodata.Append(new byte[20], 4);
        rodata.WriteWord((ulong)infoAt, unchecked((int)version));
        rodata.WriteWord((ulong)infoAt + 4, moduleClass);
        rodata.WritePointer(infoAt + 8, shim.SectionSymbol!, (int)modcmd.Value);
        rodata.WritePointer(infoAt + 12, rodata.SectionSymbol!, nameAt);
        var modinfo = o.AddSymbol(new($"{name}_modinfo", rodata, (ulong)infoAt, ElfConstants.StbLocal, ElfConstants.SttObject, 20));
        linkSet.Append(new byte[4]);
        linkSet.Relocations.Add((0, modinfo, RelocatableObject.R386_32));
        return o.Describe(ElfConstants.OsAbiNone);
    }

    /// <summary>The NetBSD module class of an LKM type; the types whose kernel tables changed shape are refused.</summary>
    internal static int ModuleClass(LkmModuleKind kind) => kind switch
    {
        LkmModuleKind.Misc or LkmModuleKind.Syscall => ModuleClassMisc,
        LkmModuleKind.Vfs => throw Unmappable(kind, ModuleClassVfs, "struct vfsops"),
        LkmModuleKind.Device => throw Unmappable(kind, ModuleClassDriver, "struct cdevsw/bdevsw"),
        LkmModuleKind.Exec or LkmModuleKind.Emulation => throw Unmappable(kind, ModuleClassExec, "struct execsw/emul"),
        _ => throw new ConversionException($"an LKM of type {LkmTypes.KindName(kind)} has no NetBSD module(7) analogue"),
    };

    private static ConversionException Unmappable(LkmModuleKind kind, int moduleClass, string table) => new(
        $"a {LkmTypes.KindName(kind)} LKM would be a module of class {NetBsdVersionName(moduleClass)}, but it hands the kernel a {table} in the old "
        + "release's layout, which modern NetBSD's differs from; it needs a source port, not a binary conversion");

    private static string NetBsdVersionName(int moduleClass) => Formats.Flavors.NetBsd.NetBsdVersion.ClassName(moduleClass);

    /// <summary>lkmdispatch(lkmtp, cmd): the kernel wiring the old lkmdispatch did, for the convertible types.</summary>
    private static void EmitDispatch(LkmShim lkm, LkmModuleDetails details)
    {
        var (o, shim, shimData, dispatch, descriptor) = (lkm.Object, lkm.Text, lkm.Data, lkm.Provided["lkmdispatch"], lkm.Descriptor);
        if (details.Kind != LkmModuleKind.Syscall)
        {
            lkm.DefineReturningZero(["lkmdispatch"]); // LM_MISC: the module wires itself up
            return;
        }

        var asm = new ShimAssembler();
        var a = asm.Code;

        if (details.Slot is not { } slot || slot < 0 || slot > ushort.MaxValue)
        {
            throw new ConversionException($"system-call LKM with lkm_offset {details.Slot} (any free slot): NetBSD's syscall_establish needs a fixed system-call number");
        }

        // struct syscall_package[2] { u_short sp_code, sp_flags; sy_call_t *sp_call } with the terminating zero entry.
        int packageAt = shimData.Append(new byte[16], 4);
        shimData.WriteWord((ulong)packageAt, (int)slot);
        var package = o.AddSymbol(new("lkm_syscall_package", shimData, (ulong)packageAt, ElfConstants.StbLocal, ElfConstants.SttObject, 16));
        var descriptorSymbol = descriptor.Section.SectionSymbol!;
        bool netbsd4 = details.Layout == LkmHeaderLayout.NetBsd4;
        int sysentField = (int)descriptor.Offset + (netbsd4 ? 24 : 16);
        int syCall = LkmConverter.OldSysentCallOffset(details);
        var establish = o.Import("syscall_establish");
        var disestablish = o.Import("syscall_disestablish");
        var load = a.CreateLabel();
        var unload = a.CreateLabel();
        LkmShim.SwitchOnDispatchCommand(a, load, unload);
        a.Label(ref load);
        a.mov(eax, __dword_ptr[asm.Address(descriptorSymbol, sysentField)]);
        a.mov(eax, __dword_ptr[eax + syCall]);
        a.mov(__dword_ptr[asm.Address(package, 4)], eax);
        a.push(asm.Address(package));
        a.push(0);
        a.call(asm.Address(establish));
        a.add(esp, 8);
        a.ret();
        a.Label(ref unload);
        a.push(asm.Address(package));
        a.push(0);
        a.call(asm.Address(disestablish));
        a.add(esp, 8);
        a.ret();
        o.Define(dispatch, shim, asm.EmitInto(shim));
    }

    /// <summary>__NetBSD_Version__ of a release: <c>MMmmrrpp00</c> (10.0 → 1000000000, 9.3 → 903000000).</summary>
    internal static uint ParseRelease(string release)
    {
        var parts = release.Split('.');
        if (parts.Length is < 1 or > 3 || !parts.All(p => uint.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out uint n) && n < 100))
        {
            throw new ConversionException($"NetBSD release {release} is not MAJOR[.MINOR[.PATCH]] (e.g. 10.0)");
        }

        uint[] n = [.. parts.Select(p => uint.Parse(p, CultureInfo.InvariantCulture)), 0, 0];
        return (n[0] * 100_000_000) + (n[1] * 1_000_000) + (n[2] * 100);
    }
}
