/* trace_loop.c — the program bench/trace watches: a loop of N calls that
 * times itself and prints "LOOP ns/call". `semop N`: V then P on a private
 * semaphore (never blocks; two traced calls per round). `getpid N`: a call
 * the seccomp filter lets through untraced. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "semop";
    long n = argc > 2 ? atol(argv[2]) : 10000;
    if (strcmp(what, "getpid") == 0) {
        double t0 = now();
        for (long i = 0; i < n; i++)
            syscall(SYS_getpid);
        printf("getpid %.0f ns/call\n", (now() - t0) / (double)n);
        return 0;
    }
    int semid = semget(IPC_PRIVATE, 1, 0600);
    if (semid < 0)
        return 1;
    struct sembuf v = {0, 1, 0}, p = {0, -1, 0};
    double t0 = now();
    for (long i = 0; i < n; i++) {
        semop(semid, &v, 1);
        semop(semid, &p, 1);
    }
    double per = (now() - t0) / (double)(2 * n);
    semctl(semid, 0, IPC_RMID);
    printf("semop %.0f ns/call\n", per);
    return 0;
}
