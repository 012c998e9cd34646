using LkmKit.Formats.Model;

namespace LkmKit.Formats.AOut;

/// <summary>How one nlist entry appears in the model.</summary>
/// <param name="Binding">Linker visibility.</param>
/// <param name="Type">What it names.</param>
/// <param name="Definition">Where it is defined.</param>
/// <param name="SectionIndex">The model section (0 text, 1 data, 2 bss) or -1.</param>
internal readonly record struct AOutSymbolClass(SymbolBinding Binding, SymbolType Type, SymbolDefinition Definition, int SectionIndex);

/// <summary>
/// Maps <c>n_type</c> to the model. The whole byte is examined (stabs first, then the GNU weak types 0x0d–0x11,
/// which overlap N_TYPE values, then N_TYPE with N_EXT as the binding). Commons are external undefined entries
/// with a non-zero value; linker-set elements keep the segment their value lies in and type <see cref="SymbolType.Other"/>.
/// </summary>
internal static class AOutSymbolClassifier
{
    /// <summary>Model index of the text segment.</summary>
    public const int TextSection = 0;
    /// <summary>Model index of the data segment.</summary>
    public const int DataSection = 1;
    /// <summary>Model index of the bss segment.</summary>
    public const int BssSection = 2;

    /// <summary>Classifies <paramref name="symbol"/>.</summary>
    public static AOutSymbolClass Classify(in AOutSymbol symbol)
    {
        if (symbol.IsStab)
        {
            return new(SymbolBinding.Local, SymbolType.Debug, SymbolDefinition.Special, -1);
        }

        var binding = symbol.IsExternal ? SymbolBinding.Global : SymbolBinding.Local;
        switch (symbol.Type)
        {
            case AOutConstants.NWeakU: return new(SymbolBinding.Weak, SymbolType.NoType, SymbolDefinition.Undefined, -1);
            case AOutConstants.NWeakA: return new(SymbolBinding.Weak, SymbolType.NoType, SymbolDefinition.Absolute, -1);
            case AOutConstants.NWeakT: return new(SymbolBinding.Weak, SymbolType.NoType, SymbolDefinition.Section, TextSection);
            case AOutConstants.NWeakD: return new(SymbolBinding.Weak, SymbolType.NoType, SymbolDefinition.Section, DataSection);
            case AOutConstants.NWeakB: return new(SymbolBinding.Weak, SymbolType.NoType, SymbolDefinition.Section, BssSection);
            case AOutConstants.NFn: return new(SymbolBinding.Local, SymbolType.File, SymbolDefinition.Special, -1);
            case AOutConstants.NWarning: return new(SymbolBinding.Local, SymbolType.Other, SymbolDefinition.Special, -1);
        }

        return symbol.SegmentType switch
        {
            AOutConstants.NUndf when symbol.IsCommon => new(binding, SymbolType.Common, SymbolDefinition.Common, -1),
            AOutConstants.NUndf => new(binding, SymbolType.NoType, SymbolDefinition.Undefined, -1),
            AOutConstants.NAbs => new(binding, SymbolType.NoType, SymbolDefinition.Absolute, -1),
            AOutConstants.NText => new(binding, SymbolType.NoType, SymbolDefinition.Section, TextSection),
            AOutConstants.NData => new(binding, SymbolType.NoType, SymbolDefinition.Section, DataSection),
            AOutConstants.NBss => new(binding, SymbolType.NoType, SymbolDefinition.Section, BssSection),
            AOutConstants.NSetA => new(binding, SymbolType.Other, SymbolDefinition.Absolute, -1),
            AOutConstants.NSetT => new(binding, SymbolType.Other, SymbolDefinition.Section, TextSection),
            AOutConstants.NSetD => new(binding, SymbolType.Other, SymbolDefinition.Section, DataSection),
            AOutConstants.NSetB => new(binding, SymbolType.Other, SymbolDefinition.Section, BssSection),
            AOutConstants.NSetV => new(binding, SymbolType.Object, SymbolDefinition.Section, DataSection),
            _ => new(binding, SymbolType.Other, SymbolDefinition.Special, -1), // N_INDR, N_SIZE, N_COMM
        };
    }

    /// <summary>The readable name of an n_type byte (<c>N_TEXT|N_EXT</c>, <c>N_SETT</c>, <c>stab 0x24</c>, …).</summary>
    public static string TypeName(byte type)
    {
        if ((type & AOutConstants.NStabMask) != 0)
        {
            return $"stab 0x{type:x2}";
        }

        string? exact = type switch
        {
            AOutConstants.NWeakU => "N_WEAKU",
            AOutConstants.NWeakA => "N_WEAKA",
            AOutConstants.NWeakT => "N_WEAKT",
            AOutConstants.NWeakD => "N_WEAKD",
            AOutConstants.NWeakB => "N_WEAKB",
            AOutConstants.NWarning => "N_WARNING",
            AOutConstants.NFn => "N_FN",
            _ => null,
        };
        if (exact is not null)
        {
            return exact;
        }

        string name = (type & AOutConstants.NTypeMask) switch
        {
            AOutConstants.NUndf => "N_UNDF",
            AOutConstants.NAbs => "N_ABS",
            AOutConstants.NText => "N_TEXT",
            AOutConstants.NData => "N_DATA",
            AOutConstants.NBss => "N_BSS",
            AOutConstants.NIndr => "N_INDR",
            AOutConstants.NSize => "N_SIZE",
            AOutConstants.NComm => "N_COMM",
            AOutConstants.NSetA => "N_SETA",
            AOutConstants.NSetT => "N_SETT",
            AOutConstants.NSetD => "N_SETD",
            AOutConstants.NSetB => "N_SETB",
            AOutConstants.NSetV => "N_SETV",
            var t => $"0x{t:x2}",
        };
        return (type & AOutConstants.NExt) != 0 ? name + "|N_EXT" : name;
    }
}
