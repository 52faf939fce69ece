#!/usr/bin/env python3
"""Check a workload manifest against the "restricted" Pod Security Standard.

The rules of the baseline and restricted profiles that a pod template can
break (kubernetes.io/docs/concepts/security/pod-security-standards), for
every container and init container: no host namespaces, ports or paths,
not privileged, no added capability but NET_BIND_SERVICE and ALL dropped,
no privilege escalation, non-root, a RuntimeDefault or Localhost seccomp
profile, only the restricted volume types. Prints one line per breach and
a verdict; exits 1 on any breach.

Usage: pss.py MANIFEST.yaml
"""
import sys

import yaml

ALLOWED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                   "persistentVolumeClaim", "projected", "secret"}


def pod_spec(doc):
    if doc.get("kind") == "Pod":
        return doc["spec"]
    return doc["spec"]["template"]["spec"]


def check(spec):
    breaches = []
    pod_ctx = spec.get("securityContext") or {}
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            breaches.append(f"pod: {field} is set")
    for volume in spec.get("volumes") or []:
        kinds = set(volume) - {"name"}
        if not kinds <= ALLOWED_VOLUMES:
            breaches.append(f"volume {volume['name']}: type {sorted(kinds)}")
    containers = [("initContainer", c) for c in spec.get("initContainers") or []]
    containers += [("container", c) for c in spec.get("containers") or []]
    for kind, c in containers:
        ctx = c.get("securityContext") or {}
        name = f"{kind} {c['name']}"
        caps = ctx.get("capabilities") or {}
        if ctx.get("privileged"):
            breaches.append(f"{name}: privileged")
        if ctx.get("allowPrivilegeEscalation") is not False:
            breaches.append(f"{name}: allowPrivilegeEscalation is not false")
        if "ALL" not in (caps.get("drop") or []):
            breaches.append(f"{name}: capabilities.drop lacks ALL")
        if set(caps.get("add") or []) - {"NET_BIND_SERVICE"}:
            breaches.append(f"{name}: adds {caps['add']}")
        if not ctx.get("runAsNonRoot", pod_ctx.get("runAsNonRoot")):
            breaches.append(f"{name}: runAsNonRoot is not true")
        if ctx.get("runAsUser", pod_ctx.get("runAsUser")) == 0:
            breaches.append(f"{name}: runAsUser is 0")
        seccomp = (ctx.get("seccompProfile") or
                   pod_ctx.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            breaches.append(f"{name}: seccompProfile.type is {seccomp}")
        for port in c.get("ports") or []:
            if port.get("hostPort"):
                breaches.append(f"{name}: hostPort {port['hostPort']}")
    return breaches


def main():
    with open(sys.argv[1]) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    breaches = [b for d in docs for b in check(pod_spec(d))]
    for b in breaches:
        print(f"not restricted: {b}")
    print(f"{sys.argv[1]}: {'restricted' if not breaches else 'not restricted'}")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
