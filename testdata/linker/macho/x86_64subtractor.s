# SUBTRACTOR pairs whose minuend is a label with no symbol before it in its section: the UNSIGNED half is
# section-based (r_extern = 0), so its stored value holds the minuend's original address, which must come off when
# the section moves. __data does not start at 0 in the object, so a flipped sign shows.
        .section __TEXT,__text,regular,pure_instructions
        .globl  _entry
_entry:
        pushq   %rbp
        popq    %rbp
        retq

        .section __DATA,__data
        .quad   0x1111111111111111
L_target:
        .quad   0x2222222222222222

        .section __DATA,__const
        .globl  _offsets
_offsets:
        .quad   L_target - _entry               # SUBTRACTOR (extern _entry) + UNSIGNED 64, section-based minuend
        .long   L_target - _entry               # SUBTRACTOR + UNSIGNED 32, section-based minuend
        .long   L_target + 4 - _entry           # the same with a constant
