/* LkmKit test fixture: an ordinary user-mode DLL (not a driver) for the negative case. */
#include <windows.h>

static int plain_value = 42;
int *plain_table[] = { &plain_value };  /* writable: keeps a base relocation */

/* From ordlib.dll: one import by ordinal only (NONAME), one by name. */
__declspec(dllimport) int OrdinalOnly(void);
__declspec(dllimport) int NamedToo(void);

__declspec(dllexport) int PlainAdd(int a, int b)
{
    return a + b + *plain_table[0] - 42;
}

__declspec(dllexport) DWORD PlainTicks(void)
{
    return GetTickCount() + (DWORD)OrdinalOnly() + (DWORD)NamedToo();
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance; (void)reason; (void)reserved;
    return TRUE;
}
