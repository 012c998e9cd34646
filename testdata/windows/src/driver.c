/* LkmKit test fixture: a minimal Windows kernel-mode driver built with mingw-w64.
 * Imports from ntoskrnl.exe and hal.dll, one export, DriverEntry in INIT, a pageable
 * routine in PAGE, and a table of pointers that needs base relocations. */
#include <ntddk.h>

static ULONG lkmkit_counter;
static const char lkmkit_banner[] = "lkmkit: fixture driver loaded\n";

/* Absolute pointers (a writable global, so the compiler keeps them): one base relocation per entry. */
const void *lkmkit_table[] = { &lkmkit_counter, lkmkit_banner, (const void *)&KeStallExecutionProcessor };

__attribute__((section("PAGE")))
static VOID NTAPI LkmKitUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    DbgPrint("lkmkit: unload after %lu ticks\n", lkmkit_counter);
}

/* Exported for other drivers (export-driver style). */
__declspec(dllexport) ULONG LkmKitQueryCounter(VOID)
{
    return lkmkit_counter + (ULONG)(ULONG_PTR)lkmkit_table[0] * 0;
}

__attribute__((section("INIT")))
NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name;
    LARGE_INTEGER frequency;
    UNREFERENCED_PARAMETER(RegistryPath);
    RtlInitUnicodeString(&name, L"\\Device\\LkmKit");
    KeQueryPerformanceCounter(&frequency);
    KeStallExecutionProcessor(1);
    lkmkit_counter = (ULONG)frequency.LowPart;
    DbgPrint((const char *)lkmkit_table[1]);
    DriverObject->DriverUnload = LkmKitUnload;
    return STATUS_SUCCESS;
}
