/* syscalls.c — names for the system calls a student will see processes
 * blocked in, from the SYS_* constants of this architecture. */
#include <sys/syscall.h>

#include "model.h"

const char *syscall_name(long nr)
{
    switch (nr) {
/* a macro per system call, each under its #ifdef */
// clang-format off
#define NAME(s) case SYS_##s: return #s;
#ifdef SYS_read
        NAME(read)
#endif
#ifdef SYS_write
        NAME(write)
#endif
#ifdef SYS_semop
        NAME(semop)
#endif
        NAME(semtimedop)
        NAME(semctl)
        NAME(semget)
        NAME(msgsnd)
        NAME(msgrcv)
        NAME(msgctl)
        NAME(shmat)
        NAME(shmdt)
        NAME(shmctl)
        NAME(wait4)
        NAME(waitid)
        NAME(clock_nanosleep)
        NAME(nanosleep)
        NAME(futex)
        NAME(poll)
        NAME(ppoll)
        NAME(select)
        NAME(pselect6)
        NAME(epoll_wait)
        NAME(epoll_pwait)
        NAME(recvmsg)
        NAME(sendmsg)
        NAME(recvfrom)
        NAME(sendto)
        NAME(accept)
        NAME(accept4)
        NAME(connect)
        NAME(open)
        NAME(openat)
        NAME(close)
        NAME(pause)
        NAME(rt_sigsuspend)
        NAME(rt_sigtimedwait)
        NAME(execve)
        NAME(exit_group)
        NAME(readv)
        NAME(writev)
        NAME(pread64)
        NAME(pwrite64)
        NAME(mq_timedreceive)
        NAME(mq_timedsend)
        NAME(flock)
        NAME(fcntl)
        NAME(sched_yield)
#undef NAME
    default: return NULL;
    }
    // clang-format on
}
