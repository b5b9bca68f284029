/* outhand.c — a process outside any run, for the tests of outside hands:
 * one System V call on an object id a test gives it, then exit. Knows
 * nothing of ipcplay. Modes:
 *   outhand semop SEMID NUM OP     one semop (OP -1 P, +1 V, 0 wait for zero)
 *   outhand msgsnd MSQID TYPE TEXT one message of TEXT (no header of ipcplay's)
 *   outhand rmid sem|msq|shm ID    IPC_RMID
 * Exit status 0 when the call worked, 1 otherwise (perror says why). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "semop") == 0) {
        struct sembuf b = {(unsigned short)atoi(argv[3]), (short)atoi(argv[4]), 0};
        if (semop(atoi(argv[2]), &b, 1) < 0) {
            perror("semop");
            return 1;
        }
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "msgsnd") == 0) {
        struct {
            long type;
            char text[256];
        } m;
        m.type = atol(argv[3]);
        snprintf(m.text, sizeof m.text, "%s", argv[4]);
        if (msgsnd(atoi(argv[2]), &m, strlen(m.text), 0) < 0) {
            perror("msgsnd");
            return 1;
        }
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "rmid") == 0) {
        int id = atoi(argv[3]), rc;
        if (strcmp(argv[2], "sem") == 0)
            rc = semctl(id, 0, IPC_RMID);
        else if (strcmp(argv[2], "msq") == 0)
            rc = msgctl(id, IPC_RMID, NULL);
        else
            rc = shmctl(id, IPC_RMID, NULL);
        if (rc < 0) {
            perror("rmid");
            return 1;
        }
        return 0;
    }
    fprintf(stderr, "usage: outhand semop SEMID NUM OP | msgsnd MSQID TYPE TEXT | rmid "
                    "sem|msq|shm ID\n");
    return 2;
}
