namespace LkmKit.Linker.Loading;

/// <summary>A model kernel cannot be created, read or asked what was asked (not a refused load, which is an event).</summary>
public sealed class LoaderException(string message) : Exception(message);
