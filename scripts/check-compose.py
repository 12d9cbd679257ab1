#!/usr/bin/env python3
"""Lints docker-compose.yml beyond what `docker-compose config` validates (CI runs both, after
the build): every service run from the poolnet image starts a file the build produced (the
image holds exactly `dist/`), a `service_healthy` dependency has a health check, a long-running
service has one too, and every file mounted from the repository exists."""
import os
import subprocess
import sys

import yaml  # PyYAML comes with Debian's docker-compose

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)
rendered = subprocess.run(
    ["docker-compose", "-f", "docker-compose.yml", "config"],
    check=True, capture_output=True, text=True,
).stdout
services = yaml.safe_load(rendered)["services"]
problems = []

for name, service in services.items():
    ours = str(service.get("image", "")).startswith("poolnet:")
    command = service.get("command") or []
    if ours:
        if len(command) < 2 or command[0] != "node":
            problems.append(f"{name}: command must be ['node', 'dist/...js'], is {command}")
        elif not os.path.isfile(command[1]):
            problems.append(f"{name}: {command[1]} is not in the build output")
    one_shot = service.get("restart") in ("no", "on-failure")
    if not one_shot and "healthcheck" not in service and ours:
        problems.append(f"{name}: a long-running service needs a healthcheck")
    for dep, condition in (service.get("depends_on") or {}).items():
        if dep not in services:
            problems.append(f"{name}: depends on unknown service {dep}")
        elif condition.get("condition") == "service_healthy" and "healthcheck" not in services[dep]:
            problems.append(f"{name}: waits for {dep} to be healthy, but {dep} has no healthcheck")
    for volume in service.get("volumes") or []:
        source = volume.get("source", "") if isinstance(volume, dict) else volume.split(":")[0]
        if volume.get("type") == "bind" if isinstance(volume, dict) else source.startswith(("/", ".")):
            if source.startswith(root) and not os.path.exists(source):
                problems.append(f"{name}: mounts {source}, which does not exist")

for problem in problems:
    print(f"docker-compose.yml: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"docker-compose.yml: {len(services)} services check out")
