using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.Model;

namespace LkmKit.Cli.Output;

/// <summary>Renders modules as JSON Lines: one object per module per line, from the common model.</summary>
public static class ModuleJson
{
    /// <summary>Writer options shared by every JSON view: compact, readable non-ASCII.</summary>
    public static readonly JsonWriterOptions Options = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One line describing <paramref name="module"/>.</summary>
    public static string Render(string path, KernelModule module) => Write(w => WriteModule(w, path, module));

    /// <summary>One line reporting that <paramref name="path"/> could not be read.</summary>
    public static string RenderError(string path, string error) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("path", path);
        w.WriteString("error", error);
        w.WriteEndObject();
    });

    /// <summary>Runs <paramref name="body"/> against a fresh writer and returns its output plus a newline.</summary>
    public static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            body(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    /// <summary>Writes the properties that say what a module is: path, container, flavour and machine.</summary>
    public static void WriteIdentity(Utf8JsonWriter w, string path, KernelModule m)
    {
        w.WriteString("path", path);
        w.WriteString("format", Names.Container(m.Container));
        w.WriteString("fileType", m.FileType);
        w.WriteString("flavor", Names.Flavor(m.Flavor));
        w.WriteString("arch", Names.Machine(m));
        w.WriteNumber("bits", m.Bits);
        w.WriteString("endian", m.ByteOrder == ByteOrder.LittleEndian ? "little" : "big");
    }

    private static void WriteModule(Utf8JsonWriter w, string path, KernelModule m)
    {
        w.WriteStartObject();
        WriteIdentity(w, path, m);
        w.WriteString("compression", m.Compression.ToString().ToLowerInvariant());
        w.WriteString("name", m.Name);
        w.WriteString("version", m.Version);
        w.WriteString("description", m.Description);
        w.WriteString("license", m.Licenses.Count > 0 ? m.Licenses[0] : null);
        WriteStrings(w, "licenses", m.Licenses);
        WriteStrings(w, "authors", m.Authors);
        w.WriteString("targetKernel", m.TargetKernel);

        w.WriteStartArray("dependencies");
        foreach (var d in m.Dependencies)
        {
            w.WriteStartObject();
            w.WriteString("name", d.Name);
            w.WriteString("kind", Names.DependencyKind(d.Kind));
            WriteIfSet(w, "minVersion", d.MinimumVersion);
            WriteIfSet(w, "maxVersion", d.MaximumVersion);
            WriteIfSet(w, "preferredVersion", d.PreferredVersion);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteStrings(w, "aliases", m.Aliases);
        WriteStrings(w, "firmware", m.Firmware);

        w.WriteStartArray("parameters");
        foreach (var p in m.Parameters)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteString("type", p.Type);
            w.WriteString("description", p.Description);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("exports");
        foreach (var e in m.Exports)
        {
            w.WriteStartObject();
            w.WriteString("name", e.Name);
            w.WriteBoolean("gplOnly", e.GplOnly);
            w.WriteString("namespace", e.Namespace);
            WriteCrc(w, e.Crc);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("imports");
        foreach (var i in m.Imports)
        {
            w.WriteStartObject();
            w.WriteString("name", i.Name);
            WriteCrc(w, i.Crc);
            if (i.IsWeak)
            {
                w.WriteBoolean("weak", true);
            }

            WriteIfSet(w, "from", i.FromModule);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("entryPoints");
        foreach (var e in m.EntryPoints)
        {
            w.WriteStartObject();
            w.WriteString("kind", Names.EntryPoint(e.Kind));
            w.WriteString("symbol", e.Symbol);
            if (e.Address is { } address)
            {
                w.WriteString("address", $"0x{address:x}");
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteSignature(w, m.Signature);
        WriteDetails(w, m);

        w.WriteStartArray("modinfo");
        foreach (var (key, value) in m.Metadata)
        {
            w.WriteStartObject();
            w.WriteString("key", key);
            w.WriteString("value", value);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("diagnostics");
        foreach (var d in m.Diagnostics)
        {
            w.WriteStartObject();
            w.WriteString("severity", d.Severity.ToString().ToLowerInvariant());
            w.WriteString("message", d.Message);
            if (d.Offset is { } offset)
            {
                w.WriteNumber("offset", offset);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteSignature(Utf8JsonWriter w, ModuleSignature? s)
    {
        if (s is null)
        {
            w.WriteNull("signature");
            return;
        }

        w.WriteStartObject("signature");
        w.WriteString("idType", s.IdType);
        w.WriteString("signer", s.Signer);
        w.WriteString("keyId", HexText.ColonPairs(s.KeyId.Span));
        w.WriteString("hashAlgorithm", s.HashAlgorithm);
        w.WriteString("signatureAlgorithm", s.SignatureAlgorithm);
        w.WriteNumber("signatureLength", s.SignatureBytes.Length);
        w.WriteNumber("offset", s.Offset);
        w.WriteNumber("length", s.Length);
        w.WriteEndObject();
    }

    private static void WriteDetails(Utf8JsonWriter w, KernelModule module)
    {
        var details = module.Details;
        KextJson.Write(w, module);
        if (module.ContainerDetails is Formats.Pe.PeImageDetails pe)
        {
            PeJson.Write(w, pe);
            return;
        }

        if (details is Formats.Flavors.Lkm.LkmModuleDetails lkm && module.ContainerDetails is Formats.AOut.AOutDetails aout)
        {
            LkmText.WriteJson(w, lkm, aout);
            return;
        }

        if (BsdJson.TryWrite(w, details) || details is not LinuxModuleDetails linux)
        {
            return;
        }

        w.WriteStartObject("linux");
        if (linux.VersionMagic is { } vm)
        {
            w.WriteStartObject("vermagic");
            w.WriteString("raw", vm.Raw);
            w.WriteString("release", vm.Release);
            w.WriteBoolean("smp", vm.Smp);
            w.WriteString("preempt", vm.Preemption);
            w.WriteBoolean("modUnload", vm.ModuleUnload);
            w.WriteBoolean("modversions", vm.ModVersions);
            WriteStrings(w, "other", vm.Other);
            w.WriteEndObject();
        }

        w.WriteString("srcversion", linux.SourceVersion);
        w.WriteBoolean("intree", linux.InTree);
        w.WriteBoolean("retpoline", linux.Retpoline);
        w.WriteBoolean("staging", linux.Staging);
        WriteStrings(w, "importNamespaces", linux.ImportedNamespaces);
        w.WriteNumber("structModuleSize", linux.StructModuleSize);
        w.WriteString("buildSalt", linux.BuildSalt);
        w.WriteString("buildId", linux.BuildId);
        w.WriteNumber("symbolVersions", linux.SymbolVersions.Count);
        w.WriteEndObject();
    }

    private static void WriteCrc(Utf8JsonWriter w, uint? crc)
    {
        if (crc is { } value)
        {
            w.WriteString("crc", $"0x{value:x8}");
        }
        else
        {
            w.WriteNull("crc");
        }
    }

    private static void WriteIfSet(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    /// <summary>Writes <paramref name="values"/> as a JSON array of strings named <paramref name="name"/>.</summary>
    public static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}
