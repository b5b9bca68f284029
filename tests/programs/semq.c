/* semq.c — a small foreign program for the tests of `ipcplay watch --
 * PROGRAM`: a parent and a child that take turns with a System V semaphore
 * and a message queue, as the chapter's examples do. Knows nothing of
 * ipcplay. Modes:
 *   turns N      N rounds: the parent V()s, the child P()s and sends "pong";
 *                the parent reaps the child and removes both objects
 *   stall        a deliberate stall: the child waits for a message of type
 *                2 that nobody sends, the parent P()s a semaphore at 0
 *   quick        exits at once
 *   ignore-term  ignores SIGTERM and sleeps
 *   fork N       forks N children that sleep
 *   posix        POSIX shared memory and a queue: shm_open, mmap, a message
 *                sent and received, both names unlinked
 *   read         reads lines from stdin, prints "read: LINE" for each, and
 *                "eof" at the end of file
 * It prints its object ids ("semid S msqid Q") so a test can remove them. */
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

struct msg {
    long type;
    char text[16];
};

static void sem_add(int semid, int op)
{
    struct sembuf b = {0, (short)op, 0};
    if (semop(semid, &b, 1) < 0) {
        perror("semop");
        _exit(1);
    }
}

static int turns(int semid, int msqid, int n)
{
    pid_t child = fork();
    if (child == 0) {
        for (int i = 0; i < n; i++) {
            sem_add(semid, -1);
            struct msg m = {1, "pong"};
            msgsnd(msqid, &m, sizeof m.text, 0);
        }
        _exit(0);
    }
    for (int i = 0; i < n; i++) {
        usleep(100 * 1000);
        sem_add(semid, 1);
        struct msg m;
        if (msgrcv(msqid, &m, sizeof m.text, 1, 0) > 0)
            printf("parent: got %s %d\n", m.text, i + 1);
        fflush(stdout);
    }
    int st;
    waitpid(child, &st, 0);
    semctl(semid, 0, IPC_RMID);
    msgctl(msqid, IPC_RMID, NULL);
    printf("done\n");
    return 0;
}

static int stall(int semid, int msqid)
{
    pid_t child = fork();
    if (child == 0) {
        struct msg m;
        msgrcv(msqid, &m, sizeof m.text, 2, 0); /* nobody sends type 2 */
        _exit(0);
    }
    usleep(100 * 1000);
    sem_add(semid, -1); /* nobody V()s */
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "turns";
    int n = argc > 2 ? atoi(argv[2]) : 3;
    if (strcmp(mode, "quick") == 0)
        return 0;
    if (strcmp(mode, "ignore-term") == 0) {
        signal(SIGTERM, SIG_IGN);
        for (;;)
            pause();
    }
    if (strcmp(mode, "posix") == 0) {
        char name[64];
        snprintf(name, sizeof name, "/semq-test-%d", (int)getpid());
        int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd < 0 || ftruncate(fd, 4096) < 0)
            return 1;
        char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
            return 1;
        p[0] = 'x';
        munmap(p, 4096);
        close(fd);
        shm_unlink(name);
        struct mq_attr attr = {.mq_maxmsg = 4, .mq_msgsize = 32};
        mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
        if (q == (mqd_t)-1)
            return 1;
        char buf[32];
        mq_send(q, "hello", 5, 1);
        ssize_t got = mq_receive(q, buf, sizeof buf, NULL);
        mq_close(q);
        mq_unlink(name);
        printf("posix %zd\n", got);
        return 0;
    }
    if (strcmp(mode, "read") == 0) {
        char line[256];
        while (fgets(line, sizeof line, stdin)) {
            line[strcspn(line, "\n")] = '\0';
            printf("read: %s\n", line);
            fflush(stdout);
        }
        printf("eof\n");
        return 0;
    }
    if (strcmp(mode, "fork") == 0) {
        for (int i = 0; i < n; i++)
            if (fork() == 0)
                for (;;)
                    pause();
        printf("forked %d\n", n);
        fflush(stdout);
        for (;;)
            pause();
    }
    int semid = semget(IPC_PRIVATE, 1, 0600);
    int msqid = msgget(IPC_PRIVATE, 0600);
    if (semid < 0 || msqid < 0) {
        perror("semget/msgget");
        return 1;
    }
    printf("semid %d msqid %d\n", semid, msqid);
    fflush(stdout);
    if (strcmp(mode, "stall") == 0)
        return stall(semid, msqid);
    return turns(semid, msqid, n);
}
