// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * hcall.c - pvabi hypercalls, x86 profile: IN from PVVM_PORT_HCALL; and
 * the rest of pvvm's port I/O the shared code uses (guest.h).
 */
#include "guest.h"

int32_t hcall1(uint32_t nr, uint32_t a1, uint32_t *r1, uint32_t *r2)
{
	uint32_t eax = PVABI_HCALL_TOKEN(nr), ebx = a1, ecx = 0;

	__asm__ volatile("inl %%dx, %%eax"
			 : "+a"(eax), "+b"(ebx), "+c"(ecx)
			 : "d"(PVVM_PORT_HCALL)
			 : "memory");
	if (r1)
		*r1 = ebx;
	if (r2)
		*r2 = ecx;
	return (int32_t)eax;
}

int32_t hcall0(uint32_t nr, uint32_t *r1, uint32_t *r2)
{
	return hcall1(nr, 0, r1, r2);
}

/* The no-op hypercall, with nothing but the exit around it. */
int32_t hcall_kick(void)
{
	uint32_t eax = PVABI_HCALL_TOKEN(PVABI_HC_KICK);

	__asm__ volatile("inl %%dx, %%eax"
			 : "+a"(eax)
			 : "d"(PVVM_PORT_HCALL)
			 : "memory");
	return (int32_t)eax;
}

/* The trapping mtmsr: pvvm delivers at that exit. */
int pv_trap(uint32_t msr)
{
	trap_mtmsr(msr);
	return 1;
}

void console_putc(char ch)
{
	outb(PVVM_PORT_CONSOLE, (uint8_t)ch);
}
