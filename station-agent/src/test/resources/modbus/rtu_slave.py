#!/usr/bin/env python3
"""Modbus RTU slaves on the far side of a pseudo-terminal, answering like Eastron SDM120 meters.

Prints "PTY <path>" once the terminal is ready; the agent opens <path> as its serial line.
Commands come on stdin, one JSON object a line, each acknowledged with "OK" on stdout:
  {"slave": 1, "floats": {"0": 230.1, "6": 0.87}}   float32 values, high word first, by register
  {"slave": 1, "fault": "crc"}        the next answer of slave 1 carries a wrong CRC
  {"slave": 1, "fault": "silent"}     slave 1 does not answer the next request
  {"slave": 1, "fault": "impostor"}   the next answer comes from slave address + 100
  {"slave": 1, "fault": "exception:4"} the next answer is exception 04
  {"delay_ms": 20}                    wait this long before each answer
Every request frame received is printed as "REQ <hex>"; a request that arrived while an answer
was still being prepared is printed as "OVERLAP <hex>". Registers not set answer exception 02,
as a real meter does for an address it has not. Functions 3 and 4 read the same registers.
Exits when stdin closes.
"""
import json
import os
import select
import struct
import sys
import time
import tty


def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def with_crc(body):
    return body + struct.pack("<H", crc16(body))


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main():
    master, slave_fd = os.openpty()
    tty.setraw(slave_fd)
    say("PTY " + os.ttyname(slave_fd))
    registers = {}  # slave -> {register: word}
    faults = {}     # slave -> [fault, ...]
    delay = 0.0
    pending = b""
    while True:
        readable, _, _ = select.select([sys.stdin, master], [], [])
        if sys.stdin in readable:
            line = sys.stdin.readline()
            if not line:
                return
            cmd = json.loads(line)
            if "delay_ms" in cmd:
                delay = cmd["delay_ms"] / 1000.0
            if "floats" in cmd:
                words = registers.setdefault(cmd["slave"], {})
                for reg, value in cmd["floats"].items():
                    hi, lo = struct.unpack(">HH", struct.pack(">f", value))
                    words[int(reg)] = hi
                    words[int(reg) + 1] = lo
            if "fault" in cmd:
                faults.setdefault(cmd["slave"], []).append(cmd["fault"])
            say("OK")
        if master in readable:
            try:
                pending += os.read(master, 256)
            except OSError:
                continue
            while len(pending) >= 8:
                frame, pending = pending[:8], pending[8:]
                if crc16(frame[:6]) != struct.unpack("<H", frame[6:8])[0]:
                    say("BADREQ " + frame.hex())
                    pending = b""
                    break
                say("REQ " + frame.hex())
                answer(master, frame, registers, faults, delay, len(pending) > 0)


def answer(master, frame, registers, faults, delay, queued):
    address, function, start, count = struct.unpack(">BBHH", frame[:6])
    if delay:
        time.sleep(delay)
    early, _, _ = select.select([master], [], [], 0)
    if early or queued:
        say("OVERLAP " + frame.hex())
    queue = faults.get(address, [])
    fault = queue.pop(0) if queue else None
    if fault == "silent" or address not in registers and fault is None:
        return
    words = registers.get(address, {})
    if fault and fault.startswith("exception:"):
        body = struct.pack(">BBB", address, function | 0x80, int(fault.split(":")[1]))
    elif function not in (3, 4):
        body = struct.pack(">BBB", address, function | 0x80, 1)
    elif any(start + i not in words for i in range(count)):
        body = struct.pack(">BBB", address, function | 0x80, 2)
    else:
        data = b"".join(struct.pack(">H", words[start + i]) for i in range(count))
        body = struct.pack(">BBB", address + 100 if fault == "impostor" else address, function, len(data)) + data
    out = with_crc(body)
    if fault == "crc":
        out = out[:-1] + bytes([out[-1] ^ 0xFF])
    os.write(master, out)


if __name__ == "__main__":
    main()
