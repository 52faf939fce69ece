/*
 * The stack protector's failure handler, kept inside the library so that it
 * is not one more libc import (each costs every process at load): like
 * libc's, it reports and aborts. The canary itself is still libc's.
 */
#include <signal.h>

#include "sys.h"

void __stack_chk_fail(void) __attribute__((noreturn));

void
__stack_chk_fail(void)
{
	static const char message[] = "portremap: stack smashing detected\n";

	(void)sys_write(2, message, sizeof(message) - 1);
	for (;;) {
		(void)sys_call5(SYS_kill, sys_getpid(), SIGABRT, 0, 0, 0);
		(void)sys_call5(SYS_exit_group, 127, 0, 0, 0, 0);
	}
}
