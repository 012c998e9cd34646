/* LkmKit test fixture: an ordinary user-mode DLL (not a driver) for the negative case. */
#include <windows.h>

static int plain_value = 42;
static int *const plain_table[] = { &plain_value };

__declspec(dllexport) int PlainAdd(int a, int b)
{
    return a + b + *plain_table[0] - 42;
}

__declspec(dllexport) DWORD PlainTicks(void)
{
    return GetTickCount();
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance; (void)reason; (void)reserved;
    return TRUE;
}
