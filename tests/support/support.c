/* support.c — placeholder */
