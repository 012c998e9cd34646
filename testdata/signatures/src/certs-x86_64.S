/* A stand-in vmlinux laid out like the kernel's certs/system_certificates.S: the built-in certificate list
 * (back-to-back DER, then space reserved for CONFIG_SYSTEM_EXTRA_CERTIFICATE), and its size as a quad. */
	.section .text,"ax"
	.globl _text
_text:
	ret

	.section .rodata,"a"
	.asciz "Linux version 6.1.0-lkmkit-test"

	.section .init.data,"aw"
	.align 8
	.globl system_certificate_list
system_certificate_list:
__cert_list_start:
	.incbin "rsa2048.crt.der"
	.incbin "ec256.crt.der"
__cert_list_end:
	.space 64, 0
	.align 8
	.globl system_certificate_list_size
system_certificate_list_size:
	.quad __cert_list_end + 64 - __cert_list_start
