// SPDX-License-Identifier: GPL-2.0-or-later
/* ioport.c - port I/O exits: console, hypercalls, machine-state register. */
#include <errno.h>
#include <string.h>

#include "vmm.h"

void ioport__flush_console(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (!v->line_len)
		return;
	if (vm->cfg.console) {
		pthread_mutex_lock(&vm->out_lock);
		fprintf(vm->cfg.console, "guest%d: %.*s\n", v->id,
			(int)v->line_len, v->line);
		fflush(vm->cfg.console);
		pthread_mutex_unlock(&vm->out_lock);
	}
	v->line_len = 0;
}

static void ioport__console(struct vcpu *v, uint8_t c)
{
	if (c == '\n' || v->line_len == sizeof(v->line)) {
		ioport__flush_console(v);
		if (c == '\n')
			return;
	}
	v->line[v->line_len++] = (char)((c >= 0x20 && c < 0x7f) ? c : '?');
}

int ioport__exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;
	uint32_t val = 0;

	/* pvvm's ports take one access at a time: no REP string I/O. */
	if (run->io.count != 1)
		goto bad;
	if (out)
		memcpy(&val, data, run->io.size);

	switch (run->io.port) {
	case PVVM_PORT_CONSOLE:
		if (!out || run->io.size != 1)
			goto bad;
		ioport__console(v, (uint8_t)val);
		return 0;
	case PVVM_PORT_HCALL:
		if (out || run->io.size != 4)
			goto bad;
		val = (uint32_t)hcall__dispatch(v);
		memcpy(data, &val, 4);
		return 0;
	case PVVM_PORT_VMSR:
		if (run->io.size != 4)
			goto bad;
		v->st.vmsr++;
		if (out) {
			/* The decision before the next entry delivers what
			 * waits if this enabled interrupts. */
			pthread_mutex_lock(&v->lock);
			pvpage__write_msr(v, val);
			pthread_mutex_unlock(&v->lock);
		} else {
			val = pvpage__read_msr(v);
			memcpy(data, &val, 4);
		}
		return 0;
	case PVVM_PORT_EXIT:
		if (!out || run->io.size != 4)
			goto bad;
		v->exit_status = val;
		__atomic_store_n(&v->done, true, __ATOMIC_RELEASE);
		return 0;
	}
bad:
	fprintf(stderr,
		"pvvm: vCPU %d: unhandled %s of %u bytes at port 0x%x\n", v->id,
		out ? "out" : "in", run->io.size, run->io.port);
	return -EIO;
}
