# A kext object that uses another kext's global (demokext's _table_entry and _table): linked after demokext.x86_64.o,
# it resolves them from the module linked before it, as kxld resolves a kext's dependencies.
        .text
        .globl _user_entry
_user_entry:
        call    _table_entry                    # BRANCH to the other kext
        leaq    _table(%rip), %rax              # SIGNED to the other kext's data
        ret

        .data
        .globl _user_pointer
_user_pointer:
        .quad   _table + 8                      # UNSIGNED to the other kext's data
