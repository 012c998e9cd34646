using Iced.Intel;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.Model;
using static Iced.Intel.AssemblerRegisters;

namespace LkmKit.Linker.Converting;

/// <summary>
/// What every target's shim starts from: the LKM's a.out object imported into a relocatable object with the calls the
/// old code makes into its own kernel's LKM support (<c>lkmdispatch</c>, <c>lkmexists</c>, <c>lkm_nofunc</c>,
/// <c>lkm_nullcmd</c>) bound to local symbols the target defines, the shim's text and data sections, the old entry
/// point and descriptor, and the zeroed <c>struct lkm_table</c> the entry is called with.
/// </summary>
internal sealed class LkmShim
{
    /// <summary>The old kernel's LKM support routines a legacy object calls; each target defines them in the shim.</summary>
    public static readonly IReadOnlyList<string> Helpers = ["lkmdispatch", "lkmexists", "lkm_nofunc", "lkm_nullcmd"];

    private const int LkmTableSize = 64;

    private readonly LkmModuleDetails _details;

    private LkmShim(RelocatableObject o, AOutObjectImport lkm, Dictionary<string, RelocatableObject.Symbol> provided,
        KernelModule module, LkmModuleDetails details)
    {
        _details = details;
        Object = o;
        Lkm = lkm;
        Provided = provided;
        Text = o.AddSection(".text.lkmshim", ElfConstants.ShtProgBits, ElfConstants.ShfAlloc | ElfConstants.ShfExecInstr, 16);
        Data = o.AddSection(".data.lkmshim", ElfConstants.ShtProgBits, ElfConstants.ShfAlloc | ElfConstants.ShfWrite, 4);
        Descriptor = lkm.Descriptor(module, details);
        Entry = lkm.Entry(module, details);
    }

    /// <summary>The object being built.</summary>
    public RelocatableObject Object { get; }

    /// <summary>The imported LKM (its text, data and bss, and its symbols by model index).</summary>
    public AOutObjectImport Lkm { get; }

    /// <summary>The locally bound names: the <see cref="Helpers"/> and whatever the target added.</summary>
    public IReadOnlyDictionary<string, RelocatableObject.Symbol> Provided { get; }

    /// <summary><c>.text.lkmshim</c>: the shim's code.</summary>
    public RelocatableObject.Section Text { get; }

    /// <summary><c>.data.lkmshim</c>: the shim's writable data (the lkm_table first).</summary>
    public RelocatableObject.Section Data { get; }

    /// <summary>The LKM's descriptor (its static <c>_module</c>) as output section and offset.</summary>
    public (RelocatableObject.Section Section, ulong Offset) Descriptor { get; }

    /// <summary>The old entry point, called as <c>entry(&amp;lkm_table, LKM_E_*, LKM_VERSION)</c>.</summary>
    public RelocatableObject.Symbol Entry { get; }

    /// <summary>The interface version the old entry expects as its third argument.</summary>
    public int InterfaceVersion => (int)_details.InterfaceVersion!.Value;

    /// <summary>
    /// Imports <paramref name="module"/> into <paramref name="o"/> with the <see cref="Helpers"/> (and
    /// <paramref name="alsoProvided"/>) bound locally, then adds the shim's text and data sections.
    /// </summary>
    /// <exception cref="ConversionException">The object cannot be imported, or has no descriptor or entry symbol.</exception>
    public static LkmShim Start(KernelModule module, LkmModuleDetails details, RelocatableObject o,
        IEnumerable<KeyValuePair<string, RelocatableObject.Symbol>>? alsoProvided = null)
    {
        var provided = Helpers.ToDictionary(h => h, h => new RelocatableObject.Symbol(h, null, 0, ElfConstants.StbLocal, ElfConstants.SttFunc, 0), StringComparer.Ordinal);
        foreach (var (name, symbol) in alsoProvided ?? [])
        {
            provided[name] = symbol;
        }

        var lkm = AOutObjectImport.Run(module, o, provided);
        return new LkmShim(o, lkm, provided, module, details);
    }

    /// <summary>
    /// struct lkm_table, zeroed, in <see cref="Data"/>, with <c>private</c> = &amp;descriptor where this LKM_VERSION's
    /// header keeps it; call after the target's own sections are added (the symbol order follows the calls).
    /// </summary>
    public RelocatableObject.Symbol AddLkmTable()
    {
        int privateOffset = _details.Layout == LkmHeaderLayout.NetBsd4 ? 8 : 40;
        int tableAt = Data.Append(new byte[LkmTableSize], 4);
        Data.WritePointer(tableAt + privateOffset, Descriptor.Section.SectionSymbol!, (int)Descriptor.Offset);
        return Object.AddSymbol(new("lkm_table", Data, (ulong)tableAt, ElfConstants.StbLocal, ElfConstants.SttObject, LkmTableSize));
    }

    /// <summary>Defines each helper in <paramref name="helpers"/> as <c>xor eax, eax; ret</c> at the end of <see cref="Text"/>.</summary>
    public void DefineReturningZero(IEnumerable<string> helpers)
    {
        foreach (var helper in helpers)
        {
            var returnsZero = new ShimAssembler();
            returnsZero.Code.xor(eax, eax);
            returnsZero.Code.ret();
            Object.Define(Provided[helper], Text, returnsZero.EmitInto(Text));
        }
    }

    /// <summary>
    /// Emits <c>entry(&amp;lkm_table, eax, LKM_VERSION)</c>: the old entry called with the LKM_E_* command already in
    /// <c>eax</c>; its result is left in <c>eax</c>.
    /// </summary>
    public void CallEntry(ShimAssembler asm, RelocatableObject.Symbol table)
    {
        var a = asm.Code;
        a.push(InterfaceVersion);
        a.push(eax);
        a.push(asm.Address(table));
        a.call(asm.Address(Entry));
        a.add(esp, 12);
    }

    /// <summary>
    /// The head of a system-call <c>lkmdispatch(lkmtp, cmd)</c>: jumps to <paramref name="load"/> on LKM_E_LOAD and to
    /// <paramref name="unload"/> on LKM_E_UNLOAD, and returns 0 for any other command.
    /// </summary>
    public static void SwitchOnDispatchCommand(Assembler a, Label load, Label unload)
    {
        a.mov(eax, __dword_ptr[esp + 8]);
        a.cmp(eax, 1);
        a.je(load);
        a.cmp(eax, 2);
        a.je(unload);
        a.xor(eax, eax);
        a.ret();
    }
}
