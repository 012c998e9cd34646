; The x86 boot-protocol parts of a bzImage that locate the compressed kernel (Documentation/x86/boot.rst):
; setup_sects at 0x1f1, "HdrS" at 0x202, version 2.15 at 0x206, payload_offset/payload_length at 0x248/0x24c.
; The protected-mode part starts at (setup_sects + 1) * 512; a stand-in for the decompressor comes before the
; payload, as in a real image. Build: nasm -f bin -DPAYLOAD='"payload.bin"' -o bzImage bzimage.asm
%define SETUP_SECTS 3
	bits 16
	org 0
	times 0x1f1 - ($ - $$) db 0
	db SETUP_SECTS                          ; setup_sects
	times 0x1fe - ($ - $$) db 0
	dw 0xaa55                               ; boot_flag
	jmp short setup_code                    ; jump at 0x200
	db 'HdrS'                               ; header at 0x202
	dw 0x020f                               ; version 2.15
	times 0x248 - ($ - $$) db 0
	dd payload - protected_mode             ; payload_offset
	dd payload_end - payload                ; payload_length
setup_code:
	hlt
	times (SETUP_SECTS + 1) * 512 - ($ - $$) db 0
protected_mode:
	times 0x200 db 0xcc                     ; stands in for the decompressor
payload:
	incbin PAYLOAD
payload_end:
