/*
 * rumpclient.h -- the sysproxy client library (see rumpclient(3)).
 */
#ifndef _RUMP_RUMPCLIENT_H_
#define _RUMP_RUMPCLIENT_H_

#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rumpclient_fork;

#define RUMPCLIENT_RETRYCONN_INFTIME	((time_t)-1)
#define RUMPCLIENT_RETRYCONN_ONCE	((time_t)-2)
#define RUMPCLIENT_RETRYCONN_DIE	((time_t)-3)

int	rumpclient_init(void);
int	rumpclient_syscall(int num, const void *sysarg, size_t argsize,
	    register_t *retval);

struct rumpclient_fork *rumpclient_prefork(void);
int	rumpclient_fork_init(struct rumpclient_fork *rfp);
void	rumpclient_fork_cancel(struct rumpclient_fork *rfp);
pid_t	rumpclient_fork(void);
pid_t	rumpclient_vfork(void);
int	rumpclient_exec(const char *path, char *const argv[],
	    char *const envp[]);
int	rumpclient_daemon(int nochdir, int noclose);
void	rumpclient_setconnretry(time_t retrytime);

#ifdef __cplusplus
}
#endif

#endif /* _RUMP_RUMPCLIENT_H_ */
