#!/usr/bin/env python3
"""Where the service's CPU went, from a JFR recording made by `BENCH_JFR=1 bench/run.sh`.

    python3 bench/jfr_summary.py bench/work/service.jfr [thread-name-part] [HH:MM:SS-HH:MM:SS]

Reads the execution samples (`jfr print`), optionally only of threads whose name contains the given part (the verify
work runs on `vert.x-eventloop`) and only in a wall-clock window (from bench.log), and prints the share of samples
per library, by the innermost non-JDK frame ("self") and by any frame ("inclusive"), the hottest frames, and the
CPU share per thread group (JIT compiler threads included) from the periodic thread CPU-load events.
"""
import collections
import re
import subprocess
import sys

LIBRARIES = [('org.hibernate', 'hibernate'), ('io.vertx.pgclient', 'pg client'), ('io.vertx.sqlclient', 'pg client'),
             ('org.bouncycastle', 'bouncy castle'), ('org.jose4j', 'jose4j'), ('com.fasterxml', 'jackson'),
             ('io.netty', 'netty'), ('io.vertx', 'vert.x'), ('io.smallrye.mutiny', 'mutiny'),
             ('io.smallrye.context', 'context propagation'), ('io.quarkus.security', 'quarkus security'),
             ('io.quarkus.resteasy', 'quarkus rest'), ('org.jboss.resteasy', 'quarkus rest'), ('io.quarkus', 'quarkus'),
             ('io.micrometer', 'micrometer'), ('io.smallrye', 'smallrye'), ('io.twofa', 'twofa'), ('org.jboss.log', 'logging')]


def library(frame):
    return next((name for prefix, name in LIBRARIES if frame.startswith(prefix)), None)


def events(recording, kind, depth=64):
    text = subprocess.run(['jfr', 'print', '--events', kind, '--stack-depth', str(depth), recording],
                          capture_output=True, text=True, check=True).stdout
    return text.split(kind + ' {')[1:]


def in_window(event, window):
    if not window:
        return True
    start = re.search(r'startTime = (\d\d:\d\d:\d\d)', event).group(1)
    return window[0] <= start <= window[1]


def main():
    recording = sys.argv[1]
    thread_part = sys.argv[2] if len(sys.argv) > 2 else ''
    window = sys.argv[3].split('-') if len(sys.argv) > 3 else None
    own, anywhere, hottest, n = collections.Counter(), collections.Counter(), collections.Counter(), 0
    for e in events(recording, 'jdk.ExecutionSample'):
        thread = re.search(r'sampledThread = "([^"]*)"', e)
        if thread_part not in (thread.group(1) if thread else '') or not in_window(e, window):
            continue
        frames = re.findall(r'^\s+([\w$.<>]+)\(', e, re.M)
        if not frames:
            continue
        n += 1
        hottest[frames[0]] += 1
        own[next((library(f) for f in frames if library(f)), 'jdk only')] += 1
        for name in {library(f) for f in frames} - {None}:
            anywhere[name] += 1
    print(f'{n} execution samples' + (f' of threads "*{thread_part}*"' if thread_part else ''))
    for title, counter, rows in (('self', own, 20), ('inclusive', anywhere, 20), ('hottest frames', hottest, 25)):
        print(title + ':')
        for name, count in counter.most_common(rows):
            print(f'  {100.0 * count / max(n, 1):5.1f} %  {name}')
    load = collections.Counter()
    for e in events(recording, 'jdk.ThreadCPULoad', 1):
        thread = re.search(r'eventThread = "([^"]*)"', e)
        if not thread or not in_window(e, window):
            continue
        user, system = (float(re.search(k + r' = ([\d.]+)%', e).group(1)) for k in ('user', 'system'))
        load[re.sub(r'\d+', 'N', thread.group(1))] += user + system
    total = sum(load.values())
    print('CPU by thread group (Java threads; GC threads are not sampled):')
    for name, share in load.most_common(6):
        print(f'  {100.0 * share / max(total, 1e-9):5.1f} %  {name}')


if __name__ == '__main__':
    main()
