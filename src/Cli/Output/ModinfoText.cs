using System.Text;
using LkmKit.Formats.Model;

namespace LkmKit.Cli.Output;

/// <summary>
/// Renders a module the way kmod's <c>modinfo</c> does for Linux modules (same field names and order,
/// <c>%-16s</c> alignment, merged <c>parm:</c> lines last, signature lines), and in the same style for other flavours.
/// </summary>
public static class ModinfoText
{
    private const int SignatureBytesPerLine = 20;

    /// <summary>Every (field, value) line of the module in modinfo's order.</summary>
    public static List<KeyValuePair<string, string>> Fields(string path, KernelModule module)
    {
        var fields = new List<KeyValuePair<string, string>> { new("filename", AbsolutePath(path)) };
        if (module.Flavor == ModuleFlavor.Linux)
        {
            foreach (var pair in module.Metadata)
            {
                if (pair.Key is not ("parm" or "parmtype"))
                {
                    fields.Add(pair);
                }
            }
        }
        else
        {
            AddGenericFields(module, fields);
        }

        AddSignature(module.Signature, fields);
        for (int i = module.Parameters.Count - 1; i >= 0; i--)
        {
            fields.Add(new("parm", FormatParameter(module.Parameters[i])));
        }

        return fields;
    }

    /// <summary>Makes a path absolute the way kmod does: the working directory is prefixed, nothing is normalised.</summary>
    public static string AbsolutePath(string path) =>
        Path.IsPathRooted(path) ? path : Directory.GetCurrentDirectory().TrimEnd('/') + "/" + path;

    /// <summary>The full text block: <c>key:</c> left-justified in 16 columns, then the value.</summary>
    public static string Render(string path, KernelModule module)
    {
        var text = new StringBuilder(1024);
        foreach (var (key, value) in Fields(path, module))
        {
            string label = key + ":";
            text.Append(label);
            if (label.Length < 16)
            {
                text.Append(' ', 16 - label.Length);
            }

            text.Append(value).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>
    /// Only the values of <paramref name="field"/>, one per line, like <c>modinfo -F</c>: raw <c>.modinfo</c> values
    /// (so <c>parmtype</c> works too), except <c>parm</c>, which is printed merged in its <c>-F</c> form.
    /// </summary>
    public static string RenderField(string path, KernelModule module, string field)
    {
        var text = new StringBuilder();
        if (field == "parm")
        {
            for (int i = module.Parameters.Count - 1; i >= 0; i--)
            {
                text.Append(FormatParameterField(module.Parameters[i])).Append('\n');
            }

            return text.ToString();
        }

        var fields = new List<KeyValuePair<string, string>> { new("filename", AbsolutePath(path)) };
        if (module.Flavor == ModuleFlavor.Linux)
        {
            fields.AddRange(module.Metadata);
        }
        else
        {
            AddGenericFields(module, fields);
        }

        AddSignature(module.Signature, fields);
        foreach (var (key, value) in fields)
        {
            if (key == field)
            {
                text.Append(value).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>A parameter as <c>modinfo -F parm</c> prints it: a type without description becomes <c>name: (type)</c>.</summary>
    public static string FormatParameterField(ModuleParameter parameter) =>
        parameter is { Description: null, Type: { } type } ? $"{parameter.Name}: ({type})" : FormatParameter(parameter);

    /// <summary>A parameter as modinfo prints it: <c>name:description (type)</c>, <c>name:type</c> or <c>name:description</c>.</summary>
    public static string FormatParameter(ModuleParameter parameter) => (parameter.Description, parameter.Type) switch
    {
        ({ } d, { } t) => $"{parameter.Name}:{d} ({t})",
        (null, { } t) => $"{parameter.Name}:{t}",
        ({ } d, null) => $"{parameter.Name}:{d}",
        _ => parameter.Name + ":",
    };

    private static void AddSignature(ModuleSignature? signature, List<KeyValuePair<string, string>> fields)
    {
        if (signature is null)
        {
            return;
        }

        fields.Add(new("sig_id", signature.IdType));
        if (signature.Signer is not null)
        {
            fields.Add(new("signer", signature.Signer));
        }

        if (signature.KeyId.Length > 0)
        {
            fields.Add(new("sig_key", HexText.ColonPairs(signature.KeyId.Span)));
        }

        if (signature.HashAlgorithm is not null)
        {
            fields.Add(new("sig_hashalgo", signature.HashAlgorithm));
        }

        if (signature.SignatureBytes.Length > 0)
        {
            fields.Add(new("signature", FormatSignatureBytes(signature.SignatureBytes.Span)));
        }
    }

    private static string FormatSignatureBytes(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length * 3 + bytes.Length / SignatureBytesPerLine * 3);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (i > 0 && i % SignatureBytesPerLine == 0)
            {
                text.Append("\n\t\t");
            }

            text.Append(bytes[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            if (i < bytes.Length - 1)
            {
                text.Append(':');
            }
        }

        return text.ToString();
    }

    private static void AddGenericFields(KernelModule module, List<KeyValuePair<string, string>> fields)
    {
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                fields.Add(new(key, value));
            }
        }

        Add("format", $"{Names.Container(module.Container)} {module.FileType}");
        Add("flavor", Names.Flavor(module.Flavor));
        Add("arch", Names.Machine(module));
        Add("name", module.Name);
        Add("version", module.Version);
        Add("description", module.Description);
        foreach (var author in module.Authors)
        {
            Add("author", author);
        }

        foreach (var license in module.Licenses)
        {
            Add("license", license);
        }

        Add("kernel", module.TargetKernel);
        foreach (var dependency in module.Dependencies)
        {
            Add("depends", Names.Dependency(dependency));
        }

        foreach (var entry in module.EntryPoints)
        {
            Add("entry", $"{Names.EntryPoint(entry.Kind)} {entry.Symbol}".TrimEnd());
        }

        foreach (var (key, value) in LkmText.Fields(module))
        {
            Add(key, value);
        }

        BsdInfoFields.Add(module, fields);
        KextText.AddFields(module, fields);
        if (module.ContainerDetails is Formats.Pe.PeImageDetails pe)
        {
            PeText.AddFields(pe, fields);
        }

        foreach (var diagnostic in module.Diagnostics)
        {
            Add("note", diagnostic.Message);
        }
    }
}
