#!/usr/bin/env python3
"""Every sample output in README.md and the manual pages, produced by the
real programs and compared, so that none can drift from what users see.

A sample is marked by "<!-- sample: NAME -->" before a fenced block in
Markdown, or by '.\\" sample: NAME' before a .nf/.fi block in a manual page.
Programs run as uid 65534 (or the .NET images' 1654) in a network namespace
of their own, with the default ip_unprivileged_port_start, from a
world-readable copy of the build; only pids are normalised, and the staging
folder is written as "build".

Usage: samples.py BUILD APPS [--update]	(--update rewrites the blocks)
"""
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

FILES = ["README.md", "man/libportremap.7", "man/portremap.1"]
PID = "4242"
APPS = "build/apps"


class Skip(Exception):
    pass


def netns_shell(script, stage):
    """Run a shell script as root in a network namespace of its own."""
    if os.geteuid() != 0:
        raise Skip("needs root: it runs in a network namespace as uid 65534")
    return subprocess.run(
        ["unshare", "-n", "sh", "-c", "ip link set lo up\n" + script],
        cwd=stage, capture_output=True, text=True, timeout=120).stdout


def as_user(uid, env, command):
    return ("setpriv --reuid=%d --regid=%d --clear-groups env -i "
            "PATH=/usr/bin:/bin HOME=/tmp %s %s" % (uid, uid, env, command))


def normalise(text, stage):
    text = re.sub(r"portremap\[\d+\]", "portremap[%s]" % PID, text)
    return text.replace(stage + "/", "build/")


def usage(build, stage):
    out = subprocess.run([os.path.join(stage, "portremap"), "--help"],
                         capture_output=True, text=True).stdout
    return "".join(out.splitlines(True)[:3])


def check(build, stage):
    out = netns_shell(as_user(65534, "", "./portremap --check"), stage)
    return "$ build/portremap --check\n" + out


def bad_setting(build, stage):
    out = subprocess.run([os.path.join(stage, "portremap"), "-m", "80:abc",
                          "--", "true"], capture_output=True, text=True)
    return "$ build/portremap -m 80:abc -- true\n" + out.stderr


def remap_line(build, stage):
    out = netns_shell(as_user(1654, "LD_PRELOAD=%s/libportremap.so" % stage,
                              "./port80-server 0") + " 2>&1 >/dev/null",
                      stage)
    return out


def command(build, stage):
    out = netns_shell(as_user(1654, "", "./portremap -- ./port80-server 0") +
                      " 2>&1", stage)
    return "$ portremap -- ./port80-server\n" + out


def dotnet(build, stage):
    app = os.path.join(APPS, "aspnetapp")
    sdk = shutil.which("dotnet")
    if sdk is None or not os.path.exists(os.path.join(app, "aspnetapp.dll")):
        raise Skip("needs the .NET SDK and the example app make check builds")
    shutil.copytree(app, os.path.join(stage, "aspnetapp"))
    subprocess.run(["chmod", "-R", "a+rX", stage], check=True)
    runner = subprocess.run(["sh", "tests/stage-dotnet.sh", sdk, stage],
                            capture_output=True, text=True).stdout.strip()
    env = ("DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 "
           "ASPNETCORE_URLS=http://+:80 LD_PRELOAD=%s/libportremap.so" % stage)
    out = netns_shell(as_user(65534, env, "%s aspnetapp/aspnetapp.dll" %
                              runner) + """ >app.log 2>&1 &
        for i in $(seq 200); do
            grep -q 'Application started' app.log && break; sleep 0.1
        done
        curl -s http://localhost:8080/ >reply.txt
        kill $!; wait
        cat app.log; echo '-- reply'; cat reply.txt""", stage)
    log, _, reply = out.partition("-- reply\n")
    lines = log.splitlines(True)
    keep = [l for l in lines if l.startswith("portremap[")]
    for i, l in enumerate(lines):
        if l.startswith("info: Microsoft.Hosting.Lifetime[14]"):
            keep += lines[i:i + 2]
            break
    return ("$ ASPNETCORE_URLS=http://+:80 "
            "LD_PRELOAD=$PWD/build/libportremap.so dotnet aspnetapp.dll\n" +
            "".join(keep) + "$ curl http://localhost:8080/\n" + reply)


BENCH_NAMES = {
    "getsockname-remapped": "getsockname() on a remapped socket",
    "getsockname-plain": "getsockname() on another socket",
    "accept": "accept4() and getsockname()",
    "bind": "a remapped bind()",
    "connect-plain": "connect(), PORTREMAP_CONNECT off",
    "connect-remapped": "a remapped connect()",
}


def budgets(build, stage):
    """The budgets bench/run.sh enforces."""
    text = open("bench/run.sh").read()
    specs = [w for w in re.search(r"for spec in (.*?); do", text,
                                  re.S).group(1).split() if ":" in w]
    load = re.search(r"\(budget (\d+)\)", text).group(1)
    rows = ["%-40s%12s%14s\n" % ("", "instructions", "system calls")]
    for spec in specs:
        name, instr, calls = spec.split(":")
        rows.append("%-40s%12s%14s\n" % (BENCH_NAMES[name], instr, calls))
    rows.append("%-40s%12s\n" % ("loading, in a process that never binds",
                                 load))
    return "".join(rows)


PRODUCERS = {
    "dotnet": dotnet, "usage": usage, "check": check,
    "bad-setting": bad_setting, "remap-line": remap_line,
    "command": command, "budgets": budgets,
}


def roff_text(line):
    return line.replace("\\-", "-").replace("\\e", "\\").replace("\\&", "")


def roff_escape(line):
    return line.replace("\\", "\\e").replace("-", "\\-")


def blocks(path):
    """(name, first line, last line, text) of each sample in a file."""
    lines = open(path).read().split("\n")
    found = []
    for i, line in enumerate(lines):
        m = re.match(r'(?:<!-- sample: (\S+) -->|\.\\" sample: (\S+))$', line)
        if not m:
            continue
        name = m.group(1) or m.group(2)
        if m.group(1):
            start = i + 1  # the opening fence
            end = lines.index("```", start + 1)
            body = lines[start + 1:end]
        else:
            start = lines.index(".nf", i)
            end = lines.index(".fi", start)
            body = [roff_text(l) for l in lines[start + 1:end]]
        found.append((name, start + 1, end, "".join(l + "\n" for l in body)))
    return found


def main():
    global APPS
    build, APPS, update = sys.argv[1], sys.argv[2], "--update" in sys.argv
    passed = failed = skipped = 0
    for path in FILES:
        content = open(path).read().split("\n")
        for name, first, last, text in reversed(blocks(path)):
            stage = tempfile.mkdtemp(prefix="portremap-samples.")
            try:
                for f in ["libportremap.so", "portremap",
                          "examples/port80-server"]:
                    shutil.copy(os.path.join(build, f), stage)
                subprocess.run(["chmod", "-R", "a+rX", stage], check=True)
                got = normalise(PRODUCERS[name](build, stage), stage)
            except Skip as why:
                print("skipped: %s %s: %s" % (path, name, why))
                skipped += 1
                continue
            finally:
                shutil.rmtree(stage, ignore_errors=True)
            if got == text:
                passed += 1
                continue
            if update:
                new = got.rstrip("\n").split("\n")
                if path.startswith("man/"):
                    new = [roff_escape(l) for l in new]
                content[first:last] = new
                print("updated: %s %s" % (path, name))
                passed += 1
                continue
            failed += 1
            print("FAIL %s: sample %s differs from the real output:" %
                  (path, name))
            sys.stdout.writelines(difflib.unified_diff(
                text.splitlines(True), got.splitlines(True),
                "%s (%s)" % (path, name), "real output"))
        if update:
            open(path, "w").write("\n".join(content))
    print("samples: %d passed, %d failed, %d skipped" %
          (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
