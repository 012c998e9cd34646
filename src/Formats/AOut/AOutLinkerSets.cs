namespace LkmKit.Formats.AOut;

/// <summary>One element of an a.out linker set.</summary>
/// <param name="SymbolIndex">The nlist entry that contributes it.</param>
/// <param name="Segment">The element's segment type: N_ABS, N_TEXT, N_DATA or N_BSS.</param>
/// <param name="Value">The element value (an object address for N_SETT/N_SETD/N_SETB).</param>
internal readonly record struct AOutSetElement(int SymbolIndex, byte Segment, uint Value);

/// <summary>
/// The linker sets of an a.out object: every N_SETA/N_SETT/N_SETD/N_SETB entry (with or without N_EXT) adds one
/// element to the set of its name; the link editor later builds the vector (count word, then the elements).
/// </summary>
internal static class AOutLinkerSets
{
    /// <summary>The sets by name, in order of first appearance; elements in symbol-table order.</summary>
    public static IReadOnlyList<KeyValuePair<string, IReadOnlyList<AOutSetElement>>> Collect(AOutFile aout)
    {
        var order = new List<string>();
        var sets = new Dictionary<string, List<AOutSetElement>>(StringComparer.Ordinal);
        for (int i = 0; i < aout.SymbolCount; i++)
        {
            var s = aout.GetSymbol(i);
            if (!s.IsSetElement)
            {
                continue;
            }

            string name = aout.GetName(s);
            if (!sets.TryGetValue(name, out var elements))
            {
                sets[name] = elements = [];
                order.Add(name);
            }

            // N_SETA 0x14 .. N_SETB 0x1a map onto N_ABS 2 .. N_BSS 8.
            elements.Add(new AOutSetElement(i, (byte)(s.SegmentType - AOutConstants.NSetA + AOutConstants.NAbs), s.Value));
        }

        return order.Select(n => new KeyValuePair<string, IReadOnlyList<AOutSetElement>>(n, sets[n])).ToList();
    }
}
