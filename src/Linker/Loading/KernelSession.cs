using LkmKit.Formats;
using LkmKit.Formats.Model;
using LkmKit.Linker.Layout;
using LkmKit.Linker.MachO;
using LkmKit.Linker.Output;
using LkmKit.Linker.Symbols;

namespace LkmKit.Linker.Loading;

/// <summary>
/// One command's view of a model kernel: its state, the kernel's own symbols (read once per process), the module
/// files opened so far, and the shared step that links a module at the allocator's address.
/// </summary>
internal sealed class KernelSession(KernelState state) : IDisposable
{
    private readonly List<ModuleFile> _files = [];
    private readonly Dictionary<string, KernelModule> _opened = new(StringComparer.Ordinal);
    private KernelSymbols? _kernelSymbols;

    public KernelState State { get; } = state;

    /// <summary>True when the state changed and should be written.</summary>
    public bool Changed { get; set; }

    /// <summary>The kernel's own symbols with addresses (the <c>--symbols</c> files), or null when none were given.</summary>
    public KernelSymbols? KernelSymbols
    {
        get
        {
            if (_kernelSymbols is null && State.SymbolFiles.Count > 0)
            {
                _kernelSymbols = new KernelSymbols();
                foreach (var path in State.SymbolFiles)
                {
                    _kernelSymbols.Add(SymbolFileLoader.Load(path));
                }
            }

            return _kernelSymbols;
        }
    }

    /// <summary>The kernel's address for <paramref name="name"/> (a global System.map entry wins over a local one).</summary>
    public ulong? KernelAddress(string name) => KernelSymbols?.TryGet(name, out var s) == true ? s.Address : null;

    /// <summary>A synthetic kernel address for a name no symbol table knows (<c>--assume-kernel-symbols</c>): stable per name.</summary>
    public static ulong SyntheticAddress(string name, int bits)
    {
        ulong hash = 14695981039346656037;
        foreach (char c in name)
        {
            hash = (hash ^ c) * 1099511628211;
        }

        return bits == 64 ? 0xffffffff81000000UL + (hash & 0xfffff0) : 0xc1000000UL + (hash & 0xfffff0);
    }

    /// <summary>Opens a module file or bundle and keeps it open until <see cref="CloseFiles"/>.</summary>
    /// <exception cref="Refusal">ENOEXEC when it is no module this reader knows.</exception>
    public ModuleFile OpenFile(string path)
    {
        try
        {
            var file = ModuleReader.Open(path);
            _files.Add(file);
            return file;
        }
        catch (ModuleFormatException e)
        {
            throw new Refusal(Errno.ENOEXEC, e.Message);
        }
    }

    /// <summary>Opens the module file at <paramref name="path"/> and picks the module of the kernel's architecture.</summary>
    /// <exception cref="Refusal">ENOENT when the file is missing; ENOEXEC when it is no module this reader knows.</exception>
    public KernelModule Open(string path)
    {
        if (_opened.TryGetValue(path, out var known))
        {
            return known;
        }

        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new Refusal(Errno.ENOENT, $"{path}: No such file or directory");
        }

        ModuleFile file;
        try
        {
            file = ModuleReader.Open(path);
        }
        catch (ModuleFormatException e)
        {
            throw new Refusal(Errno.ENOEXEC, e.Message);
        }

        _files.Add(file);
        if (file.Modules.Count == 0)
        {
            throw new Refusal(Errno.ENOEXEC, $"{path}: no module in the file");
        }

        var module = State.Machine is { } machine
            ? file.Modules.FirstOrDefault(m => m.Machine.ToString() == machine) ?? file.Modules[0]
            : file.Modules[0];
        _opened[path] = module;
        return module;
    }

    /// <summary>The address the next module goes to.</summary>
    public ulong NextAddress(KernelModule module) => State.NextAddress ?? AreaBase(State.Os, module);

    /// <summary>
    /// Links <paramref name="module"/> at the allocator's next address with exactly <paramref name="resolved"/> as its
    /// imports (the policy chose each exporter by its kernel's rules), and reserves the space.
    /// </summary>
    /// <exception cref="Refusal">ENOEXEC for anything the linker refuses (unknown relocation, bad layout).</exception>
    public (LinkedModule Linked, ulong Address, ulong Size) Link(KernelModule module, string name, IReadOnlyDictionary<string, ulong> resolved)
    {
        ulong address = NextAddress(module);
        var symbols = new KernelSymbols();
        symbols.Add(new KernelSymbolList("model kernel", resolved.Select(p => new KernelSymbol(p.Key, p.Value, 'T')).ToList()));
        LinkedModule linked;
        try
        {
            linked = new ModuleLinker(symbols, new LinkOptions()).LinkModule(module, address);
        }
        catch (UnresolvedSymbolsException e)
        {
            throw new Refusal(Errno.ENOENT, $"{name}: {e.Message}");
        }
        catch (LinkException e)
        {
            throw new Refusal(Errno.ENOEXEC, e.Message);
        }
        catch (ModuleFormatException e)
        {
            throw new Refusal(Errno.ENOEXEC, e.Message);
        }

        ulong end = address;
        foreach (var section in linked.Sections)
        {
            end = Math.Max(end, section.Address + section.Size);
        }

        ulong size = Align.Up(end - address, LinuxLayout.PageSize);
        return (linked, address, size);
    }

    /// <summary>Records a linked module's space as taken.</summary>
    public void Reserve(ulong address, ulong size) => State.NextAddress = Math.Max(State.NextAddress ?? 0, address + Math.Max(size, LinuxLayout.PageSize));

    /// <summary>
    /// Takes <paramref name="module"/> out of the loaded set and gives back its space when it was the last one placed
    /// (the allocator is a bump pointer); the state is then written at the end of the command.
    /// </summary>
    public void Unload(LoadedModule module)
    {
        State.Modules.Remove(module);
        Changed = true;
        if (State.NextAddress == module.Address + Math.Max(module.Size, LinuxLayout.PageSize))
        {
            var rest = State.Modules;
            State.NextAddress = rest.Count == 0 ? module.Address : rest.Max(m => m.Address + Math.Max(m.Size, LinuxLayout.PageSize));
        }
    }

    /// <summary>The module area's first address for each kernel (a model's choice, documented in docs/loading.md).</summary>
    public static ulong AreaBase(KernelOs os, KernelModule module) => (os, module.Machine) switch
    {
        (KernelOs.MacOs, _) => KextLayout.DefaultBase(module.Machine),
        (KernelOs.FreeBsd, MachineArchitecture.X86_64) => 0xffffffff82000000,
        (KernelOs.FreeBsd, MachineArchitecture.X86) => 0xc8000000,
        (KernelOs.NetBsd, MachineArchitecture.X86_64) => 0xffffffff82000000,
        (KernelOs.NetBsd, MachineArchitecture.X86) => 0xc2000000,
        (KernelOs.Lkm, _) => 0xf0800000,
        _ => LinkOptions.DefaultBase(module.Machine),
    };

    /// <summary>The address of each symbol a linked module defines, by name (globals and weaks first).</summary>
    public static Dictionary<string, ulong> Definitions(LinkedModule linked)
    {
        var result = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var s in linked.Symbols)
        {
            if (s.SectionIndex >= 0 && s.Binding is SymbolBinding.Global or SymbolBinding.Weak)
            {
                result.TryAdd(s.Name, s.Address);
            }
        }

        return result;
    }

    /// <summary>True when the module is a Mach-O kext image or object.</summary>
    public static bool IsKext(KernelModule module) => MachOLinkInput.IsMachO(module);

    /// <summary>Closes the module files opened so far (after each top-level load, so a whole tree never holds every file open).</summary>
    public void CloseFiles()
    {
        foreach (var file in _files)
        {
            file.Dispose();
        }

        _files.Clear();
        _opened.Clear();
    }

    public void Dispose()
    {
        foreach (var file in _files)
        {
            file.Dispose();
        }
    }
}
