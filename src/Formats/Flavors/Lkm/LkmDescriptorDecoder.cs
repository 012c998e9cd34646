using LkmKit.Formats.AOut;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.Lkm;

/// <summary>
/// Decodes a module descriptor (<c>struct lkm_syscall</c>, <c>lkm_dev</c>, …) in the data segment: the header layout
/// is recognised by which word the name pointer's relocation patches (offset 8: classic, offset 4: NetBSD 4), the
/// numbering of <c>lkm_type</c> is decided from the file or from <see cref="ModuleReadOptions.LkmOperatingSystem"/>,
/// and the type-specific words follow.
/// </summary>
internal static class LkmDescriptorDecoder
{
    private enum Word { Integer, Pointer }

    /// <summary>Decodes the descriptor at object address <paramref name="address"/> into <paramref name="details"/>.</summary>
    public static void Decode(AOutFile aout, AOutPointerResolver resolver, ulong address, LkmModuleDetails details, KernelModule module, ModuleReadOptions options)
    {
        ulong dataStart = aout.Layout.DataAddress;
        if (address < dataStart || address - dataStart >= aout.Header.Data)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                $"module descriptor at 0x{address:x} is not in the data segment (0x{dataStart:x}+0x{aout.Header.Data:x})"));
            return;
        }

        long at = (long)(address - dataStart);
        bool nameAt4 = resolver.Pointer(at + 4) is not null;
        bool nameAt8 = resolver.Pointer(at + 8) is not null;
        details.Layout = nameAt4 && !nameAt8 ? LkmHeaderLayout.NetBsd4 : LkmHeaderLayout.Classic;
        if (!nameAt4 && !nameAt8)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                "lkm_name is not relocated at descriptor offset 4 or 8; the classic 16-byte header is assumed"));
        }

        var header = details.Layout == LkmHeaderLayout.Classic
            ? new[] { ("lkm_type", Word.Integer), ("lkm_ver", Word.Integer), ("lkm_name", Word.Pointer), ("lkm_offset", Word.Integer) }
            : [("lkm_type", Word.Integer), ("lkm_name", Word.Pointer), ("lkm_offset", Word.Integer), ("lkm_modver", Word.Integer),
               ("lkm_sysver", Word.Integer), ("lkm_envver", Word.Pointer)];
        if (!ReadFields(resolver, at, 0, header, details, module))
        {
            return;
        }

        long Field(string name) => details.Fields.First(f => f.Name == name).Value;
        details.RawType = Field("lkm_type");
        details.Slot = Field("lkm_offset");
        details.InterfaceVersion = details.Layout == LkmHeaderLayout.Classic ? Field("lkm_ver") : Field("lkm_modver");
        module.Name = PointedString(resolver, at + (details.Layout == LkmHeaderLayout.Classic ? 8 : 4), "lkm_name", module);
        if (details.Layout == LkmHeaderLayout.NetBsd4)
        {
            details.SystemVersion = Field("lkm_sysver");
            details.EnvironmentVersion = PointedString(resolver, at + 20, "lkm_envver", module);
        }

        LkmTypeDecision.Decide(aout, details, module, options);
        var payload = Payload(details.Layout, details.Kind);
        if (payload.Length > 0 && ReadFields(resolver, at, details.Layout == LkmHeaderLayout.Classic ? 16 : 24, payload, details, module)
            && details.Layout == LkmHeaderLayout.Classic && details.Kind == LkmModuleKind.Device)
        {
            details.DeviceType = details.Fields.First(f => f.Name == "lkm_devtype").Value switch
            {
                0 => "block",
                1 => "char",
                var other => $"unknown ({other})",
            };
        }
    }

    private static (string, Word)[] Payload(LkmHeaderLayout layout, LkmModuleKind kind) => (layout, kind) switch
    {
        (LkmHeaderLayout.Classic, LkmModuleKind.Syscall) => [("lkm_sysent", Word.Pointer)],
        (LkmHeaderLayout.Classic, LkmModuleKind.Vfs) => [("lkm_vfsops", Word.Pointer)],
        (LkmHeaderLayout.Classic, LkmModuleKind.Device) => [("lkm_devtype", Word.Integer), ("lkm_dev", Word.Pointer)],
        (LkmHeaderLayout.Classic, LkmModuleKind.Exec) => [("lkm_exec", Word.Pointer)],
        (LkmHeaderLayout.NetBsd4, LkmModuleKind.Syscall) => [("lkm_sysent", Word.Pointer)],
        (LkmHeaderLayout.NetBsd4, LkmModuleKind.Vfs) => [("lkm_vfsops", Word.Pointer)],
        (LkmHeaderLayout.NetBsd4, LkmModuleKind.Device) =>
            [("lkm_devname", Word.Pointer), ("lkm_bdev", Word.Pointer), ("lkm_bdevmaj", Word.Integer), ("lkm_cdev", Word.Pointer), ("lkm_cdevmaj", Word.Integer)],
        (LkmHeaderLayout.NetBsd4, LkmModuleKind.Exec) => [("lkm_execsw", Word.Pointer), ("lkm_emul", Word.Pointer)],
        (LkmHeaderLayout.NetBsd4, LkmModuleKind.Emulation) => [("lkm_compat", Word.Pointer)],
        (LkmHeaderLayout.NetBsd4, LkmModuleKind.Driver) => [("lkm_cd", Word.Pointer), ("lkm_cai", Word.Pointer), ("lkm_cf", Word.Pointer)],
        _ => [],
    };

    private static bool ReadFields(AOutPointerResolver resolver, long descriptor, int start, (string Name, Word Kind)[] fields, LkmModuleDetails details, KernelModule module)
    {
        for (int i = 0; i < fields.Length; i++)
        {
            int offset = start + 4 * i;
            if (resolver.Word(descriptor + offset) is not { } value)
            {
                module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                    $"module descriptor field {fields[i].Name} at offset {offset} lies past the end of the data segment"));
                return false;
            }

            var pointer = resolver.Pointer(descriptor + offset);
            if (fields[i].Kind == Word.Pointer && pointer is null && value != 0)
            {
                module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                    $"module descriptor field {fields[i].Name} holds 0x{value:x} but no relocation patches it"));
            }

            details.Fields.Add(new LkmField(fields[i].Name, offset, value, pointer?.Label));
        }

        return true;
    }

    private static string? PointedString(AOutPointerResolver resolver, long offset, string field, KernelModule module)
    {
        if (resolver.Pointer(offset) is not { } pointer)
        {
            return null;
        }

        if (pointer.Address is { } target && resolver.String(target) is { } text)
        {
            return text;
        }

        module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
            $"{field} points to {pointer.Label}, which is not a NUL-terminated string in the text or data segment"));
        return null;
    }
}
