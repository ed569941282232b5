"""Opens N connections to a loopback HTTP server that stall: half of them mid-request-line, half
after the headers and part of a body (Content-Length promises more), then holds them for S seconds
and closes them. Loopback only. Usage: python3 bench/stall.py PORT N SECONDS"""
import socket
import sys
import time

port, n, secs = int(sys.argv[1]), int(sys.argv[2]), min(600, float(sys.argv[3]))
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    if i % 2 == 0:
        s.sendall(b"POST /v1/models/mnist-rnn:pre")
    else:
        s.sendall(b"POST /v1/models/mnist-rnn:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n{\"instances\": [")
    socks.append(s)
print("STALLED %d" % len(socks), flush=True)
time.sleep(secs)
for s in socks:
    s.close()
print("CLOSED", flush=True)
