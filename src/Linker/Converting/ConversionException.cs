namespace LkmKit.Linker.Converting;

/// <summary>A legacy module cannot be converted to the requested target; the message says why.</summary>
public sealed class ConversionException(string message) : Exception(message);
