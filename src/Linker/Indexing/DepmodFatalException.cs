namespace LkmKit.Linker.Indexing;

/// <summary>A problem that stops depmod before it writes anything (kmod prints it as <c>FATAL:</c>).</summary>
internal sealed class DepmodFatalException(string message) : InvalidOperationException(message);
