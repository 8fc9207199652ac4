#!/usr/bin/env python3
"""A GNSS receiver on the far side of a pseudo-terminal: prints "PTY <path>" once the terminal is ready, then
writes every line it reads on stdin to the terminal, ended with CR LF, as a receiver sends its NMEA sentences.
Exits when stdin closes."""
import os
import sys
import tty

master, slave = os.openpty()
tty.setraw(master)
tty.setraw(slave)
sys.stdout.write("PTY " + os.ttyname(slave) + "\n")
sys.stdout.flush()
for line in sys.stdin:
    os.write(master, (line.rstrip("\n") + "\r\n").encode("ascii"))
    sys.stdout.write("SENT\n")
    sys.stdout.flush()
os.close(master)
