"""Static checks of docker-compose.yml and the Dockerfile.

No Docker engine runs in CI, so these tests stand in for `docker compose config` and a
build: they catch the mistakes that would only show up at `docker compose up`.
"""

import fnmatch
import json
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from followup.cli.main import build_parser
from followup.settings import Settings
from followup.web.health import routes as health_routes

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / "deploy" / "followup.env.example"

TOP_LEVEL_KEYS = {"services", "volumes", "networks", "secrets", "configs", "name"}
DEPENDS_ON_CONDITIONS = {
    "service_started",
    "service_healthy",
    "service_completed_successfully",
}
RESTART_POLICIES = re.compile(r"^(no|always|unless-stopped|on-failure(:\d+)?)$")
# `$$` is a literal dollar; `${NAME...}` and `$NAME` are interpolations.
INTERPOLATION = re.compile(
    r"\$\$"
    r"|\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<modifier>[^}]*)\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)
# Modifiers that give a default (`:-`, `-`) or fail with a message when unset (`:?`, `?`).
DEFAULT_OR_REQUIRED = re.compile(r"^(:?-|:?\?.+)")
# Optional host IP, host port, container port, optional protocol.
PORT_MAPPING = re.compile(
    r"^(?:\d{1,3}(?:\.\d{1,3}){3}:)?(?P<host>\d+):(?P<container>\d+)(?:/(?:tcp|udp))?$"
)

ENV_PREFIX = Settings.model_config["env_prefix"]
SETTINGS_VARIABLES = {ENV_PREFIX + name.upper() for name in Settings.model_fields}


# ---------------------------------------------------------------- helpers


def load_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def services() -> dict[str, dict[str, Any]]:
    return load_compose()["services"]


def string_values(node: Any) -> list[str]:
    """Every string value in the parsed file (compose interpolates values, not comments)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in string_values(value)]
    if isinstance(node, list):
        return [s for value in node for s in string_values(value)]
    return []


def interpolations(text: str) -> list[tuple[str, str]]:
    """(variable, modifier) for each interpolation in `text`."""
    found = []
    for match in INTERPOLATION.finditer(text):
        if match.group(0) == "$$":
            continue
        if match.group("braced"):
            found.append((match.group("braced"), match.group("modifier")))
        else:
            found.append((match.group("bare"), ""))
    return found


def substitute(text: str, value: str = "x") -> str:
    """`text` as compose would render it with every variable set to `value`."""
    return INTERPOLATION.sub(lambda m: "$" if m.group(0) == "$$" else value, text)


def environment(service: dict[str, Any]) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return {k: (v if sep else None) for k, sep, v in (item.partition("=") for item in env)}
    return {key: (None if value is None else str(value)) for key, value in env.items()}


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    """Target service -> condition (the short list form means service_started)."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def command(service: dict[str, Any]) -> list[str]:
    cmd = service.get("command") or []
    return shlex.split(cmd) if isinstance(cmd, str) else [str(part) for part in cmd]


def option(argv: list[str], name: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def named_volume_sources(service: dict[str, Any]) -> list[str]:
    names = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            if volume.get("type", "volume") == "volume" and volume.get("source"):
                names.append(volume["source"])
            continue
        source, sep, _ = volume.partition(":")
        # Bind mounts start with a path; a single field is an anonymous volume.
        if sep and not source.startswith((".", "/", "~", "$")):
            names.append(source)
    return names


def services_running(argv_start: list[str]) -> dict[str, dict[str, Any]]:
    return {
        svc_name: svc
        for svc_name, svc in services().items()
        if command(svc)[: len(argv_start)] == argv_start
    }


def service_running(argv_start: list[str]) -> tuple[str, dict[str, Any]]:
    matches = services_running(argv_start)
    assert len(matches) == 1, f"expected one service running {argv_start}, found {matches}"
    return next(iter(matches.items()))


def web_services() -> dict[str, dict[str, Any]]:
    return services_running(["followup", "serve"])


def followup_services() -> dict[str, dict[str, Any]]:
    return services_running(["followup"])


def proxy_service() -> tuple[str, dict[str, Any]]:
    [(name, proxy)] = [
        (name, svc) for name, svc in services().items() if "nginx" in svc.get("image", "")
    ]
    return name, proxy


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with comments dropped and continuation lines joined."""
    instructions, pending = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, args = line.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    assert not pending, "Dockerfile ends inside a continued line"
    return instructions


def arguments(args: str) -> list[str]:
    """Exec (JSON) form or shell form, as a list of words."""
    if args.startswith("["):
        return json.loads(args)
    return shlex.split(args)


def copy_sources() -> list[str]:
    sources = []
    for keyword, args in dockerfile_instructions():
        if keyword not in {"COPY", "ADD"}:
            continue
        words = arguments(args)
        flags = [w for w in words if w.startswith("--")]
        if any(flag.startswith("--from=") for flag in flags):
            continue  # from another stage or image, not the build context
        paths = [w for w in words if not w.startswith("--")]
        sources.extend(paths[:-1])
    return sources


def exposed_ports() -> set[int]:
    ports = set()
    for keyword, args in dockerfile_instructions():
        if keyword == "EXPOSE":
            ports.update(int(word.split("/")[0]) for word in args.split())
    return ports


def dockerignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


# ---------------------------------------------------------------- compose


def test_compose_top_level_keys_are_from_the_compose_spec():
    compose = load_compose()
    assert "services" in compose
    unknown = {k for k in compose if k not in TOP_LEVEL_KEYS and not k.startswith("x-")}
    assert not unknown, f"not in the compose spec: {sorted(unknown)}"


def test_every_service_has_an_image_or_a_build():
    missing = [
        name for name, svc in services().items() if "image" not in svc and "build" not in svc
    ]
    assert not missing, f"services without image or build: {missing}"


def test_build_contexts_hold_a_dockerfile():
    for name, svc in services().items():
        if "build" not in svc:
            continue
        build = svc["build"]
        context = build if isinstance(build, str) else build.get("context", ".")
        dockerfile = (
            "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        )
        assert (ROOT / context / dockerfile).is_file(), f"{name}: no {dockerfile} in {context}"


def test_depends_on_targets_exist_with_a_valid_condition():
    all_services = services()
    for name, svc in all_services.items():
        for target, condition in depends_on(svc).items():
            assert target in all_services, f"{name} depends on unknown service {target}"
            assert condition in DEPENDS_ON_CONDITIONS, f"{name} -> {target}: bad {condition!r}"


def test_service_healthy_targets_have_a_healthcheck():
    all_services = services()
    image_has_healthcheck = any(k == "HEALTHCHECK" for k, _ in dockerfile_instructions())
    for name, svc in all_services.items():
        for target, condition in depends_on(svc).items():
            if condition != "service_healthy":
                continue
            spec = all_services[target]
            has_check = "healthcheck" in spec and not spec["healthcheck"].get("disable")
            built_here = "build" in spec and image_has_healthcheck
            assert has_check or built_here, (
                f"{name} waits for {target} to be healthy, never checked"
            )


def test_named_volumes_are_declared_at_top_level():
    declared = set(load_compose().get("volumes") or {})
    for name, svc in services().items():
        for volume in named_volume_sources(svc):
            assert volume in declared, f"{name} uses undeclared volume {volume}"


def test_interpolations_have_a_default_or_are_documented_settings():
    undocumented = [
        (variable, modifier)
        for text in string_values(load_compose())
        for variable, modifier in interpolations(text)
        if not DEFAULT_OR_REQUIRED.match(modifier) and variable not in SETTINGS_VARIABLES
    ]
    assert not undocumented, f"would silently be empty when unset: {undocumented}"


def test_followup_variables_are_settings_fields():
    for name, svc in services().items():
        unknown = {
            key
            for key in environment(svc)
            if key.startswith(ENV_PREFIX) and key not in SETTINGS_VARIABLES
        }
        assert not unknown, f"{name}: not fields of followup.settings.Settings: {sorted(unknown)}"


def test_every_followup_process_uses_asyncpg_on_the_db_service():
    all_services = services()
    for name, svc in followup_services().items():
        raw = environment(svc).get(ENV_PREFIX + "DATABASE_URL")
        assert raw, f"{name} has no FOLLOWUP_DATABASE_URL"
        url = urlsplit(substitute(raw))
        assert url.scheme == "postgresql+asyncpg"
        assert url.hostname in all_services, f"{url.hostname} is not a compose service"
        db_env = environment(all_services[url.hostname])
        assert url.port == 5432
        assert url.username == db_env.get("POSTGRES_USER")
        assert url.path.lstrip("/") == db_env.get("POSTGRES_DB")


def test_restart_policies_are_valid():
    for name, svc in services().items():
        if "restart" in svc:
            policy = svc["restart"]
            # An unquoted `no` loads as False, which compose rejects.
            assert isinstance(policy, str) and RESTART_POLICIES.match(policy), f"{name}: {policy!r}"


def test_ports_are_host_container_strings():
    for name, svc in services().items():
        for port in svc.get("ports") or []:
            assert isinstance(port, str), f"{name}: port {port!r} must be a quoted string"
            rendered = substitute(port, "8080")  # a variable for the host port
            assert PORT_MAPPING.match(rendered), f"{name}: {port!r} is not host:container"


def test_followup_commands_are_ones_the_cli_accepts():
    parser = build_parser()
    for svc in followup_services().values():
        parser.parse_args(command(svc)[1:])  # exits (fails the test) on an unknown option
        check = (svc.get("healthcheck") or {}).get("test", [])
        if check[1:3] == ["followup", "worker"]:
            parser.parse_args(check[2:])


def test_two_web_processes_run_no_scheduler_on_all_interfaces():
    webs = web_services()
    assert len(webs) == 2
    for name, svc in webs.items():
        argv = command(svc)
        assert "--web-only" in argv, f"{name} would run a scheduler of its own"
        # Inside a container, 127.0.0.1 is unreachable from the proxy.
        assert option(argv, "--host") == "0.0.0.0"
        assert int(option(argv, "--port")) in exposed_ports()
        assert not svc.get("ports"), f"{name}: only the proxy publishes a port"


def test_each_web_process_keeps_its_spool_in_a_volume_of_its_own():
    """Callbacks answered while the database is away wait in the working directory's spool/:
    a named volume each, so a recreated container does not lose them."""
    workdir = [args for keyword, args in dockerfile_instructions() if keyword == "WORKDIR"][-1]
    webs = [svc for svc in services().values() if "--web-only" in (command(svc) or [])]
    volumes = [v for svc in webs for v in svc.get("volumes") or [] if v.endswith(":" + workdir)]
    assert len(webs) == 2 and len({v.partition(":")[0] for v in volumes}) == 2


def test_one_worker_plans_and_sends_and_keeps_the_outbox():
    _, worker = service_running(["followup", "worker"])
    assert worker.get("restart") == "unless-stopped"
    # The worker sends e-mail: the outbox (relative to /data, the image's working
    # directory) is in its named volume.
    workdirs = [args for keyword, args in dockerfile_instructions() if keyword == "WORKDIR"]
    mounts = {v.partition(":")[2] for v in worker.get("volumes") or []}
    assert workdirs[-1] in mounts and named_volume_sources(worker)
    # Its health check reads the heartbeat file its command writes.
    check = worker["healthcheck"]["test"]
    assert check[:4] == ["CMD", "followup", "worker", "--check"]
    assert option(check, "--heartbeat") == option(command(worker), "--heartbeat")
    assert option(command(worker), "--heartbeat").startswith(workdirs[-1] + "/")


def test_followup_processes_start_after_a_successful_migration():
    migrate_name, migrate = service_running(["followup", "db", "upgrade"])
    for name, svc in followup_services().items():
        if name != migrate_name:
            assert depends_on(svc).get(migrate_name) == "service_completed_successfully", name
    # A migration that restarts itself never "completes".
    assert migrate.get("restart", "no") == "no"


def test_every_long_running_service_is_checked_and_restarted():
    migrate_name, _ = service_running(["followup", "db", "upgrade"])
    for name, svc in services().items():
        if name == migrate_name:
            continue
        assert svc.get("restart") == "unless-stopped", name
        # The image's own HEALTHCHECK probes the web port, which a worker does not open.
        assert svc.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_the_web_health_checks_ask_the_apps_own_health_endpoint():
    assert any(r.method == "GET" and r.path == "/healthz" for r in health_routes)
    for name, svc in web_services().items():
        check = svc["healthcheck"]["test"]
        assert check[0] == "CMD" and check[1] == "python", name
        assert f"http://127.0.0.1:{option(command(svc), '--port')}/healthz" in check[-1]


def nginx_config() -> str:
    _, proxy = proxy_service()
    [mount] = [v for v in proxy["volumes"] if v.endswith("/etc/nginx/conf.d/default.conf:ro")]
    return (ROOT / mount.split(":")[0]).read_text(encoding="utf-8")


def test_the_proxy_spreads_requests_over_the_web_processes():
    _, proxy = proxy_service()
    config = nginx_config()
    [upstream] = re.findall(r"upstream\s+(\w+)\s*\{([^}]*)\}", config)
    servers = set(re.findall(r"^\s*server\s+([\w-]+):(\d+)", upstream[1], re.MULTILINE))
    assert servers == {(web, option(command(svc), "--port")) for web, svc in web_services().items()}
    assert f"proxy_pass http://{upstream[0]};" in config
    assert {dep: "service_healthy" for dep in web_services()} == depends_on(proxy)
    [mapping] = proxy["ports"]
    listens = re.findall(r"^\s*listen\s+(\d+);", config, re.MULTILINE)
    assert listens == [PORT_MAPPING.match(substitute(mapping, "8080")).group("container")]
    assert "/healthz" in proxy["healthcheck"]["test"][-1]


def test_the_web_processes_trust_the_address_the_proxy_sends():
    config = nginx_config()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in config
    for name, svc in web_services().items():
        assert environment(svc).get(ENV_PREFIX + "TRUST_FORWARDED_FOR") == "true", name
    # No paths in the proxy's log: a response link's path holds a resident's token.
    formats = re.findall(r"log_format\s+\w+([^;]*);", config, re.DOTALL)
    assert formats and not any(
        "$request " in f or "$request_uri" in f or "$uri" in f for f in formats
    )


def test_the_env_example_names_every_variable_compose_takes():
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    named = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))
    required = {
        variable
        for text in string_values(load_compose())
        for variable, modifier in interpolations(text)
        if modifier.startswith((":?", "?"))
    }
    passed_through = {
        key
        for svc in services().values()
        for key, value in environment(svc).items()
        if value is None
    }
    interpolated = {v for text in string_values(load_compose()) for v, _ in interpolations(text)}
    assert required and required <= named, f"not in the example: {required - named}"
    assert passed_through <= named, f"not in the example: {passed_through - named}"
    unknown = {v for v in named if v not in SETTINGS_VARIABLES and v not in interpolated}
    assert not unknown, f"the example names what nothing reads: {unknown}"
    # Required secrets are left empty: compose refuses to start until they are filled in.
    for variable in required - {ENV_PREFIX + "PUBLIC_URL"}:
        assert re.search(rf"^{variable}=$", example, re.MULTILINE), variable


# ---------------------------------------------------------------- Dockerfile


def test_dockerfile_installs_the_project():
    instructions = dockerfile_instructions()
    installs = [
        i
        for i, (keyword, args) in enumerate(instructions)
        if keyword == "RUN" and re.search(r"\bpip install\b.*(?<=\s)\.(\s|$)", args)
    ]
    assert installs, "no RUN pip install ."
    copied_before = {
        source.rstrip("/")
        for keyword, args in instructions[: installs[0]]
        if keyword in {"COPY", "ADD"}
        for source in arguments(args)[:-1]
    }
    assert "pyproject.toml" in copied_before, "pip install . runs before pyproject.toml is copied"
    assert "--no-cache-dir" in instructions[installs[0]][1]


def test_dockerfile_runs_as_a_non_root_user():
    users = [args for keyword, args in dockerfile_instructions() if keyword == "USER"]
    assert users, "no USER instruction: the container runs as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}


def test_dockerfile_copies_paths_that_exist():
    sources = copy_sources()
    assert sources, "nothing copied into the image"
    missing = [s for s in sources if not (ROOT / s).exists()]
    assert not missing, f"COPY sources not in the repository: {missing}"


def test_dockerfile_copies_nothing_the_dockerignore_excludes():
    patterns = dockerignore_patterns()
    for source in copy_sources():
        path = source.rstrip("/")
        excluded = [
            p
            for p in patterns
            if not p.startswith("!") and fnmatch.fnmatch(path, p.removeprefix("**/"))
        ]
        assert not excluded, f"{source} is excluded from the build context by {excluded}"


def exec_ports(keyword: str) -> set[int]:
    """Ports named in the last KEYWORD instruction, as `:PORT` or `--port PORT`."""
    args = [args for k, args in dockerfile_instructions() if k == keyword]
    assert args, f"no {keyword}"
    return {int(p) for p in re.findall(r"(?::|--port[ =\"',]+)(\d{2,5})\b", args[-1])}


def test_dockerfile_healthcheck_probes_the_exposed_port():
    ports = exec_ports("HEALTHCHECK")
    assert ports, "HEALTHCHECK names no port"
    assert ports <= exposed_ports(), f"HEALTHCHECK probes {ports}, exposed {exposed_ports()}"


def test_dockerfile_cmd_serves_on_the_exposed_port():
    ports = exec_ports("CMD")
    assert ports, "CMD names no port"
    assert ports <= exposed_ports(), f"CMD listens on {ports}, exposed {exposed_ports()}"
