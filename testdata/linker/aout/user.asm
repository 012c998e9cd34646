; A second a.out object that uses relocs.o's globals, for the two-module a.out link test
; (scripts/build-aout-link-fixtures.sh: nasm -f aoutb -o user.o user.asm).
        bits 32
        extern  _glob_func
        extern  _glob_data
        section .text
        call    _glob_func              ; STD_DISP32|EXTERN, resolved to the first module's definition
        mov     eax, [_glob_data + 4]   ; STD_32|EXTERN + 4
        ret
