using LkmKit.Linker.Symbols;

namespace LkmKit.Linker.Loading.Linux;

/// <summary>One entry of an export table: who exports it and how.</summary>
internal sealed record LinuxExport(string Name, string Owner, ulong? Address, bool GplOnly, string? Namespace, uint? Crc);

/// <summary>
/// The symbols find_symbol searches: vmlinux's <c>__ksymtab</c>/<c>__ksymtab_gpl</c> (from Module.symvers, addresses
/// from the symbol files; without Module.symvers every global symbol-file entry counts as a plain export), then the
/// loaded modules' tables.
/// </summary>
internal sealed class LinuxExports
{
    private readonly KernelSession _session;
    private readonly Dictionary<string, LinuxExport>? _vmlinux;
    private readonly Dictionary<string, LinuxExport> _modules = new(StringComparer.Ordinal);

    public LinuxExports(KernelSession session)
    {
        _session = session;
        if (session.State.Symvers is { } symvers)
        {
            var list = (KernelSymbolList)SymbolFileLoader.Load(symvers);
            _vmlinux = new Dictionary<string, LinuxExport>(StringComparer.Ordinal);
            foreach (var s in list.Symbols)
            {
                if (s.Owner == "vmlinux")
                {
                    _vmlinux.TryAdd(s.Name, new LinuxExport(s.Name, "vmlinux", null, s.ExportType?.Contains("GPL", StringComparison.Ordinal) == true, s.Namespace, s.Crc));
                }
            }
        }

        foreach (var module in session.State.Modules)
        {
            Add(module);
        }
    }

    /// <summary>True when the kernel was built with CONFIG_MODVERSIONS as far as the model knows (it has a Module.symvers with CRCs).</summary>
    public bool KernelHasModversions => _vmlinux is not null && _vmlinux.Values.Any(e => e.Crc is not null);

    /// <summary>The CRC vmlinux gives <c>module_layout</c>, when known.</summary>
    public uint? ModuleLayoutCrc => _vmlinux?.GetValueOrDefault("module_layout")?.Crc;

    public void Add(LoadedModule module)
    {
        foreach (var e in module.Exports)
        {
            _modules.TryAdd(e.Name, new LinuxExport(e.Name, module.Name, e.Address, e.GplOnly, e.Namespace, e.Crc));
        }
    }

    public void Remove(LoadedModule module)
    {
        foreach (var e in module.Exports)
        {
            if (_modules.TryGetValue(e.Name, out var x) && x.Owner == module.Name)
            {
                _modules.Remove(e.Name);
            }
        }
    }

    /// <summary>find_symbol: vmlinux first, then the modules; GPL-only tables are skipped unless <paramref name="gplOk"/>.</summary>
    public LinuxExport? Find(string name, bool gplOk)
    {
        if (Kernel(name) is { } k && (gplOk || !k.GplOnly))
        {
            return k;
        }

        return _modules.TryGetValue(name, out var m) && (gplOk || !m.GplOnly) ? m : null;
    }

    /// <summary>Who already exports <paramref name="name"/> (verify_exported_symbols), or null.</summary>
    public string? OwnerOf(string name) => Kernel(name)?.Owner ?? _modules.GetValueOrDefault(name)?.Owner;

    private LinuxExport? Kernel(string name)
    {
        if (_vmlinux is not null)
        {
            return _vmlinux.GetValueOrDefault(name);
        }

        return _session.KernelSymbols?.TryGet(name, out var s) == true && s.IsGlobal && s.Address is not null
            ? new LinuxExport(name, "vmlinux", s.Address, false, null, null)
            : null;
    }
}
