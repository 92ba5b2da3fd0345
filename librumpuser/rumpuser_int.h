/*
 * rumpuser_int.h -- what the files of librumpuser share that is not
 * the hypercall interface: fault injection (rumpuser_fault.c).
 */
#ifndef LIBRUMPUSER_RUMPUSER_INT_H
#define LIBRUMPUSER_RUMPUSER_INT_H

#include <stdbool.h>
#include <stddef.h>

#pragma GCC visibility push(hidden)

/* read RUMP_FAILNTH and RUMP_SHORTWRITE, the first time only */
void	 rumpuser_fault_arm(void);
/* true: fail this allocation (counts it) */
bool	 rumpuser_fault_alloc(void);
/* the most one write to a client may send; 0: no limit */
size_t	 rumpuser_fault_shortwrite(void);
/* malloc and calloc of the sysproxy server, counted as above */
void	*sp_malloc(size_t);
void	*sp_calloc(size_t, size_t);

#pragma GCC visibility pop

#endif /* LIBRUMPUSER_RUMPUSER_INT_H */
