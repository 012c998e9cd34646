/* A stand-in arm64 kernel: the Image header (Documentation/arm64/booting.rst: magic "ARM\x64" at 0x38) at _text,
 * then the built-in certificate list as in certs/system_certificates.S. */
	.section .head.text,"ax"
	.globl _text
_text:
	nop                      /* code0 */
	b	1f               /* code1 */
	.quad	0                /* text_offset */
	.quad	0x10000          /* image_size */
	.quad	0xa              /* flags: little-endian, 4K pages */
	.quad	0, 0, 0          /* res2-4 */
	.ascii	"ARM\x64"        /* magic */
	.long	0                /* res5 */
1:	ret

	.section .init.data,"aw"
	.align 8
	.globl system_certificate_list
system_certificate_list:
	.incbin "rsa4096.crt.der"
	.incbin "ec384.crt.der"
__cert_list_end:
	.align 8
	.globl system_certificate_list_size
system_certificate_list_size:
	.quad __cert_list_end - system_certificate_list
