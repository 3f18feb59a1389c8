"""The report of bench/latency.sh: reads what its runs left in the work
directory, prints the tables and the checks against the targets, and writes
the JSON summary.

  python3 bench/latency_report.py WORK OUT_JSON RATES SECONDS CONNECTIONS NATS(0|1)

Per run (memory-R, file-R, nats-R for each rate R) WORK holds the client's
JSON (load_gen or nats_latency), for hookbridge the server's /metrics before
and after (NAME.metrics0, NAME.metrics1) and, for runs under --sched-rate,
`perf sched timehist` output (NAME.sched.txt) with the server's and the
client's pids (NAME.sched.pids). Exits 1 if a run left no result.
"""
import json
import os
import re
import sys

TARGET_RATE = 5000


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def histogram(path, name):
    """Cumulative buckets {le: count} of an unlabelled Prometheus histogram."""
    buckets = {}
    try:
        with open(path) as f:
            for line in f:
                m = re.match(name + r'_bucket\{le="([^"]+)"\} (\S+)', line)
                if m:
                    buckets[float(m.group(1))] = float(m.group(2))
    except OSError:
        pass
    return buckets


def quantile(before, after, q):
    """The q-quantile (us) of what a histogram observed between two scrapes,
    interpolated within its bucket as Prometheus's histogram_quantile does;
    None without observations."""
    les = sorted(after)
    counts = [after[le] - before.get(le, 0) for le in les]
    if not counts or counts[-1] <= 0:
        return None
    rank = q * counts[-1]
    lower, below = 0.0, 0.0
    for le, count in zip(les, counts):
        if count >= rank:
            if le == float("inf"):
                return lower * 1e6  # beyond the last bound: its lower edge
            return (lower + (le - lower) * (rank - below) / max(count - below, 1e-9)) * 1e6
        lower, below = le, count
    return None


def server_stages(work, name):
    """p50/p99 (us) of the server's own histograms over one run."""
    out = {}
    for key, metric in (("parsed_to_answer_ready", "hookbridge_ingest_duration_seconds"),
                        ("received_to_written", "hookbridge_delivery_latency_seconds")):
        before = histogram(f"{work}/{name}.metrics0", metric)
        after = histogram(f"{work}/{name}.metrics1", metric)
        if after:
            out[key] = {"p50": quantile(before, after, 0.5), "p99": quantile(before, after, 0.99)}
    return out


TIMEHIST = re.compile(r"^\s*[\d.]+\s+\[\d+\]\s+(.*)\[(\d+)(?:/(\d+))?\]\s+"
                      r"([\d.]+)\s+([\d.]+)\s+([\d.]+)(?:\s+(\S+))?\s*$")


def written_p99(run):
    """p99 (us) of a run's written_to_received stage, or None."""
    stage = run.get("stages_us", {}).get("written_to_received")
    return stage["p99"] if stage and stage["count"] else None


def pct(values, q):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def sched(work, name, events):
    """Per process (the server, the client, everything else) and per thread
    name within the server and the client: times switched in, CPU, and
    run-queue delay (runnable -> running), from perf sched timehist; None if
    the run was not recorded. A thread's waits after it went to sleep in
    state D (uninterruptible: for the file log's writer, in write and
    fdatasync) are its I/O waits: this run's own write and sync latency as
    the log met it, and, summed over the run, the share of the run the
    thread spent blocked on the disk."""
    try:
        with open(f"{work}/{name}.sched.pids") as f:
            server, client = (int(p) for p in f.read().split())
        with open(f"{work}/{name}.sched.txt") as f:
            lines = f.read().splitlines()
    except (OSError, ValueError):
        return None
    raw = {}  # (group, thread name or "") -> [switches, run ms, delays us, I/O waits us]
    state = {}  # tid -> state when last switched out
    first = last = None
    for line in lines:
        m = TIMEHIST.match(line)
        if not m:
            continue
        t = float(line.split()[0])
        first = t if first is None else first
        last = t
        comm, tid = m.group(1).strip(), int(m.group(2))
        pid = int(m.group(3) or tid)
        if comm.startswith("<idle>"):
            continue
        group = "server" if pid == server else "client" if pid == client else "others"
        io_wait = state.get(tid) == "D"
        state[tid] = m.group(7)
        for key in ((group, ""), (group, comm)):
            r = raw.setdefault(key, [0, 0.0, [], []])
            r[0] += 1
            r[1] += float(m.group(6))
            r[2].append(float(m.group(5)) * 1000)
            if io_wait:
                r[3].append(float(m.group(4)) * 1000)
    span = (last - first) if first is not None and last > first else 0

    def figures(r):
        d, io = r[2], r[3]
        return {"switches": r[0], "switches_per_event": r[0] / events if events else None,
                "cpu_ms": r[1], "cores": r[1] / 1000 / span if span else None,
                "delay_us": {"p50": pct(d, 0.5), "p99": pct(d, 0.99), "p99_9": pct(d, 0.999),
                             "max": max(d) if d else 0.0},
                "io_wait_us": {"count": len(io), "per_event": len(io) / events if events else None,
                               "p50": pct(io, 0.5), "p99": pct(io, 0.99),
                               "max": max(io) if io else 0.0,
                               "share_of_run": sum(io) / 1e6 / span if span else None,
                               # Waits of 1 ms or more: on the file log's
                               # writer, the slow syncs.
                               "over_1ms_per_event": (sum(1 for v in io if v >= 1000) / events
                                                      if events else None),
                               "over_1ms_share_of_run": (sum(v for v in io if v >= 1000) / 1e6
                                                         / span if span else None)}}

    out = {"seconds": span}
    for group in ("server", "client", "others"):
        out[group] = figures(raw.get((group, ""), [0, 0.0, [], []]))
        threads = sorted(((k[1], v) for k, v in raw.items() if k[0] == group and k[1]),
                         key=lambda kv: -kv[1][0])
        out[group]["threads"] = {t: figures(v) for t, v in threads[:6]}
    return out


def main():
    work, out, rates, seconds, connections, nats = sys.argv[1:]
    rates = [int(float(r)) for r in rates.split(",")]
    nats = nats == "1"
    # This disk's fdatasync, measured before and after the runs: the checks
    # take the mean of the two.
    syncs = [x for x in (load(f"{work}/fdatasync-{w}.json") for w in ("before", "after")) if x]
    sync = {k: sum(x[k] for x in syncs) / len(syncs)
            for k in ("fdatasync_p50_us", "fdatasync_p99_us")} if syncs else {}
    systems = (["nats"] if nats else []) + ["memory", "file"]
    runs, failed = {}, []
    for rate in rates:
        for system in systems:
            name = f"{system}-{rate}"
            r = load(f"{work}/{name}.json")
            if r is None:
                failed.append(name)
                continue
            if system != "nats":
                r["server_stages_us"] = server_stages(work, name)
            s = sched(work, name, r.get("sent", 0))
            if s is not None:
                r["sched"] = s
            runs[name] = r

    print()
    print(f"end-to-end latency at fixed offered rates, open loop, {seconds} s per rate")
    print(f"  hookbridge: POST due -> event received by a gRPC subscriber, {connections} "
          "connections; nats: publish due -> message received by a subscriber")
    if sync:
        print("this disk's fdatasync (1 KiB appends, 1 s), before / after the runs: " + " / ".join(
            f"p50 {x['fdatasync_p50_us']:.0f} us, p99 {x['fdatasync_p99_us']:.0f} us"
            for x in syncs))
        if all("fdatasync_prezeroed_p99_us" in x for x in syncs):
            print("  over pre-zeroed blocks (no size change to journal): " + " / ".join(
                f"p50 {x['fdatasync_prezeroed_p50_us']:.0f} us, "
                f"p99 {x['fdatasync_prezeroed_p99_us']:.0f} us" for x in syncs))
    print(f"{'system':<8}{'offered/s':>10}{'done/s':>9}{'sent':>8}{'missing':>8}"
          f"{'p50 us':>10}{'p99 us':>10}{'p99.9 us':>10}{'max us':>10}{'p99/nats':>9}"
          f"{'w p99 us':>10}{'w/nats':>7}{'srv us/ev':>10}{'cli us/ev':>10}{'others':>8}")
    for rate in rates:
        base = runs.get(f"nats-{rate}")
        for system in systems:
            name = f"{system}-{rate}"
            r = runs.get(name)
            if r is None:
                print(f"{system:<8}{rate:>10}  failed: no result")
                continue
            e = r["e2e_latency_us"]
            done = r["received_per_s"] if system == "nats" else r["requests_per_s"]
            missing = r["e2e_missing"] + r.get("unanswered", 0)
            ratio = w_ratio = ""
            if system != "nats" and base and base["e2e_latency_us"]["p99"] > 0:
                ratio = f"{e['p99'] / base['e2e_latency_us']['p99']:.2f}"
            w = written_p99(r)
            if system != "nats" and base and w and written_p99(base):
                w_ratio = f"{w / written_p99(base):.2f}"
            cpu = r.get("cpu", {})
            per_event = 1e6 / max(r["sent"], 1)
            print(f"{system:<8}{r['offered_rate']:>10.0f}{done:>9.0f}{r['sent']:>8}{missing:>8}"
                  f"{e['p50']:>10.0f}{e['p99']:>10.0f}{e['p99_9']:>10.0f}{e['max']:>10.0f}"
                  f"{ratio:>9}{w or 0:>10.0f}{w_ratio:>7}"
                  f"{cpu.get('server_cpu_s', 0) * per_event:>10.1f}"
                  f"{cpu.get('client_cpu_s', 0) * per_event:>10.1f}"
                  f"{cpu.get('other_cores', -1):>8.2f}" + ("" if r.get("ok", True) else "  FAILED"))
    print("  done/s: answered/s (hookbridge), received/s (nats); w p99, w/nats: p99 from the "
          "client's write (its own lateness left out: written_to_received) and its ratio to "
          "NATS's; srv, cli us/ev: CPU per event of "
          "the server and of the client (load generator and subscriber) over the run; others: "
          f"cores' worth of CPU the rest of the machine used meanwhile (of {os.cpu_count()})")

    print("\nwhere the time went (us, p50 / p99; tail: mean over the slowest 1 %):")
    for rate in rates:
        for system in systems:
            r = runs.get(f"{system}-{rate}")
            if r is None or "stages_us" not in r:
                continue
            parts = []
            for stage, p in r["stages_us"].items():
                tail = r.get("tail_stages_us", {}).get(stage, 0)
                parts.append(f"{stage} {p['p50']:.0f} / {p['p99']:.0f}, tail {tail:.0f}")
            print(f"  {system}-{rate}: " + "; ".join(parts))
            server = r.get("server_stages_us", {})
            if server:
                print("    server's histograms: " + "; ".join(
                    f"{k} {v['p50']:.0f} / {v['p99']:.0f}" for k, v in server.items()
                    if v["p50"] is not None))

    sched_runs = [(n, r["sched"]) for n, r in runs.items() if "sched" in r]
    if sched_runs:
        print("\nscheduler (perf sched timehist, the whole run): times switched in per event, "
              "CPU in cores, run-queue delay (runnable -> running) us p50 / p99 / p99.9 / max")
        for name, s in sched_runs:
            for key in ("server", "client", "others"):
                rows = [(key, s[key])]
                if key != "others":
                    rows += [(f"  {t}", g) for t, g in s[key]["threads"].items()]
                for label, g in rows:
                    per = g["switches_per_event"] or 0
                    cores = g["cores"] or 0
                    d = g["delay_us"]
                    io = g["io_wait_us"]
                    print(f"  {name:<12}{label:<18}{per:>7.2f}/ev{cores:>7.2f} cores   "
                          f"{d['p50']:>6.0f} / {d['p99']:>6.0f} / {d['p99_9']:>6.0f} / "
                          f"{d['max']:>6.0f}")
                    if label.startswith("  ") and io["count"] >= 10:
                        print(f"  {'':<30}waits in state D (disk): {io['per_event'] or 0:.2f}/ev, "
                              f"p50 {io['p50']:.0f} / p99 {io['p99']:.0f} / max "
                              f"{io['max']:.0f} us; blocked {100 * (io['share_of_run'] or 0):.0f} "
                              f"% of the run, {100 * (io['over_1ms_share_of_run'] or 0):.0f} % in "
                              f"waits of 1 ms or more ({io['over_1ms_per_event'] or 0:.3f}/ev)")

    checks = {}
    for rate in rates:
        m, f, n = (runs.get(f"{s}-{rate}") for s in ("memory", "file", "nats"))
        c = {}
        if m and n and n["e2e_latency_us"]["p99"] > 0:
            c["memory_p99_over_nats_p99"] = m["e2e_latency_us"]["p99"] / n["e2e_latency_us"]["p99"]
            c["memory_vs_nats_met"] = c["memory_p99_over_nats_p99"] <= 2
            if written_p99(m) and written_p99(n):
                c["memory_over_nats_from_write"] = written_p99(m) / written_p99(n)
        if m and f and sync:
            bound = m["e2e_latency_us"]["p99"] + 2 * sync["fdatasync_p99_us"]
            c["file_p99_bound_us"] = bound
            c["file_minus_memory_p99_over_fdatasync_p99"] = (
                (f["e2e_latency_us"]["p99"] - m["e2e_latency_us"]["p99"])
                / sync["fdatasync_p99_us"])
            c["file_vs_memory_met"] = f["e2e_latency_us"]["p99"] <= bound
        if c:
            checks[str(rate)] = c
    print(f"\ntargets (stated at {TARGET_RATE}/s; this run's own figures):")
    for rate in rates:
        c = checks.get(str(rate), {})
        m, f, n = (runs.get(f"{s}-{rate}") for s in ("memory", "file", "nats"))
        mark = "" if rate == TARGET_RATE else "  (not the target rate)"
        if "memory_vs_nats_met" in c:
            print(f"  {rate}/s: memory p99 {m['e2e_latency_us']['p99']:.0f} us / NATS p99 "
                  f"{n['e2e_latency_us']['p99']:.0f} us = {c['memory_p99_over_nats_p99']:.2f} "
                  f"(target <= 2): {'met' if c['memory_vs_nats_met'] else 'MISSED'}{mark}")
            if "memory_over_nats_from_write" in c:
                print(f"    from the clients' writes (their own lateness left out): "
                      f"{written_p99(m):.0f} us / {written_p99(n):.0f} us = "
                      f"{c['memory_over_nats_from_write']:.2f}")
        elif m:
            print(f"  {rate}/s: memory p99 {m['e2e_latency_us']['p99']:.0f} us: no NATS "
                  "baseline to compare with")
        if "file_vs_memory_met" in c:
            print(f"  {rate}/s: file p99 {f['e2e_latency_us']['p99']:.0f} us vs memory p99 + 2 x "
                  f"fdatasync p99 (mean of before and after) = {c['file_p99_bound_us']:.0f} us "
                  f"((file - memory) / fdatasync p99 = "
                  f"{c['file_minus_memory_p99_over_fdatasync_p99']:.2f}, target <= 2): "
                  f"{'met' if c['file_vs_memory_met'] else 'MISSED'}{mark}")

    summary = {"scenario": "latency", "seconds": float(seconds), "connections": int(connections),
               "nats_baseline": "ran" if nats else "skipped",
               "fdatasync_p50_us": sync.get("fdatasync_p50_us"),
               "fdatasync_p99_us": sync.get("fdatasync_p99_us"),
               "fdatasync_before_after": syncs,
               "runs": runs, "checks": checks}
    with open(out, "w") as f:
        json.dump(summary, f, indent=1)
    print(f"\nJSON: {out}")
    if failed:
        print("no result from: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
