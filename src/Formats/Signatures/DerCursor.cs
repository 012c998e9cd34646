using System.Formats.Asn1;
using System.Text;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Signatures;

/// <summary>
/// A position inside a DER (or BER) blob held in a file; every read names the absolute file offset and the
/// structure when it fails, as a <see cref="ModuleFormatException"/>.
/// </summary>
internal ref struct DerCursor
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _blob;
    private readonly int _fileOffset;
    private readonly string _path;
    private readonly AsnEncodingRules _rules;
    private readonly string _structure;
    private readonly int _end;
    private int _pos;

    public DerCursor(ReadOnlySpan<byte> blob, int fileOffset, string path, string structure, AsnEncodingRules rules, int start, int end)
    {
        _structure = structure;
        _blob = blob;
        _fileOffset = fileOffset;
        _path = path;
        _rules = rules;
        _pos = start;
        _end = end;
    }

    public readonly bool HasData => _pos < _end;

    public readonly int Position => _pos;

    private readonly ReadOnlySpan<byte> Rest => _blob[_pos.._end];

    public readonly ModuleFormatException FailAt(int position, string reason) =>
        new(_path, (long)_fileOffset + position, _structure, "PKCS#7 " + reason);

    private readonly ModuleFormatException Fail(string what, AsnContentException e) =>
        FailAt(_pos, $"{what}: {e.Message}");

    private readonly void RequireData(string what)
    {
        if (!HasData)
        {
            throw FailAt(_pos, $"{what} is missing");
        }
    }

    public readonly Asn1Tag PeekTag(string what)
    {
        RequireData(what);
        try
        {
            return Asn1Tag.Decode(Rest, out _);
        }
        catch (AsnContentException e)
        {
            throw Fail(what, e);
        }
    }

    public DerCursor ReadSequence(string what, Asn1Tag? tag = null)
    {
        RequireData(what);
        try
        {
            AsnDecoder.ReadSequence(Rest, _rules, out int contentOffset, out int contentLength, out int consumed, tag);
            return Enter(contentOffset, contentLength, consumed);
        }
        catch (AsnContentException e)
        {
            throw Fail(what, e);
        }
    }

    public DerCursor ReadSetOf(string what)
    {
        RequireData(what);
        try
        {
            AsnDecoder.ReadSetOf(Rest, _rules, out int contentOffset, out int contentLength, out int consumed,
                skipSortOrderValidation: true);
            return Enter(contentOffset, contentLength, consumed);
        }
        catch (AsnContentException e)
        {
            throw Fail(what, e);
        }
    }

    /// <summary>A cursor over the contents of the constructed value just decoded; this cursor moves past it.</summary>
    private DerCursor Enter(int contentOffset, int contentLength, int consumed)
    {
        var inner = new DerCursor(_blob, _fileOffset, _path, _structure, _rules, _pos + contentOffset,
            _pos + contentOffset + contentLength);
        _pos += consumed;
        return inner;
    }

    public void Skip(string what)
    {
        RequireData(what);
        try
        {
            AsnDecoder.ReadEncodedValue(Rest, _rules, out _, out _, out int consumed);
            _pos += consumed;
        }
        catch (AsnContentException e)
        {
            throw Fail(what, e);
        }
    }

    /// <summary>Reads one whole element (tag, length and contents) and returns its bytes.</summary>
    public ReadOnlySpan<byte> ReadEncoded(string what)
    {
        RequireData(what);
        try
        {
            AsnDecoder.ReadEncodedValue(Rest, _rules, out _, out _, out int consumed);
            ReadOnlySpan<byte> encoded = Rest[..consumed];
            _pos += consumed;
            return encoded;
        }
        catch (AsnContentException e)
        {
            throw Fail(what, e);
        }
    }

    public string ReadObjectIdentifier(string what)
    {
        RequireData(what);
        try
        {
            string oid = AsnDecoder.ReadObjectIdentifier(Rest, _rules, out int consumed);
            _pos += consumed;
            return oid;
        }
        catch (AsnContentException e)
        {
            throw Fail(what, e);
        }
    }

    public ReadOnlySpan<byte> ReadIntegerBytes(string what)
    {
        RequireData(what);
        try
        {
            ReadOnlySpan<byte> value = AsnDecoder.ReadIntegerBytes(Rest, _rules, out int consumed);
            _pos += consumed;
            return value;
        }
        catch (AsnContentException e)
        {
            throw Fail(what, e);
        }
    }

    public byte[] ReadOctetString(string what, Asn1Tag? tag)
    {
        RequireData(what);
        try
        {
            byte[] value = AsnDecoder.ReadOctetString(Rest, _rules, out int consumed, tag);
            _pos += consumed;
            return value;
        }
        catch (AsnContentException e)
        {
            throw Fail(what, e);
        }
    }

    // X.520 DirectoryString or another character-string type, decoded by DecodeString; a non-string value
    // gives null.
    public string? ReadDirectoryString(string what)
    {
        Asn1Tag tag = PeekTag(what);
        if (tag.TagClass != TagClass.Universal || !IsCharacterString((UniversalTagNumber)tag.TagValue))
        {
            Skip(what);
            return null;
        }

        var type = (UniversalTagNumber)tag.TagValue;
        byte[] buffer = new byte[Rest.Length];
        int consumed, written;
        try
        {
            if (!AsnDecoder.TryReadCharacterStringBytes(Rest, buffer, _rules, new Asn1Tag(type), out consumed, out written))
            {
                throw FailAt(_pos, $"{what} does not fit in its element");
            }
        }
        catch (AsnContentException e)
        {
            throw Fail(what, e);
        }

        _pos += consumed;
        return DecodeString(type, buffer.AsSpan(0, written));
    }

    private static bool IsCharacterString(UniversalTagNumber type) => type is
        UniversalTagNumber.UTF8String or UniversalTagNumber.NumericString or UniversalTagNumber.PrintableString or
        UniversalTagNumber.TeletexString or UniversalTagNumber.VideotexString or UniversalTagNumber.IA5String or
        UniversalTagNumber.GraphicString or UniversalTagNumber.VisibleString or UniversalTagNumber.GeneralString or
        UniversalTagNumber.UniversalString or UniversalTagNumber.BMPString;

    // The bytes are taken as stored (modinfo prints them raw) rather than validated against the type's alphabet:
    // BMPString and UniversalString are UTF-16BE / UTF-32BE; everything else is UTF-8, or Latin-1 (OpenSSL's
    // reading of T61String) when it is not valid UTF-8.
    private static string DecodeString(UniversalTagNumber type, ReadOnlySpan<byte> bytes)
    {
        switch (type)
        {
            case UniversalTagNumber.BMPString:
                return Encoding.BigEndianUnicode.GetString(bytes);
            case UniversalTagNumber.UniversalString:
                return new UTF32Encoding(bigEndian: true, byteOrderMark: false).GetString(bytes);
            default:
                try
                {
                    return StrictUtf8.GetString(bytes);
                }
                catch (DecoderFallbackException)
                {
                    return Encoding.Latin1.GetString(bytes);
                }
        }
    }
}
