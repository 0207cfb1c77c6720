/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest_image.S - the guest flat binary, carried inside pvvm. */
	.section .rodata
	.balign 16
	.globl pvvm_guest_image
pvvm_guest_image:
	.incbin "pvguest.bin"
	.globl pvvm_guest_image_end
pvvm_guest_image_end:
	.section .note.GNU-stack, "", @progbits
