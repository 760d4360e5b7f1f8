"""Registry credentials in Docker's ``config.json``, as the Docker CLI, ORAS and skopeo keep them.

The file is ``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``. Credentials for a
registry come from, in order: its credential helper (``credHelpers``), the default store
(``credsStore``), or ``auths`` (``auth``: base64 of ``user:password``; ``identitytoken``: an
OAuth2 refresh token). Helpers are the ``docker-credential-<name>`` programs, spoken to with
their protocol (``get`` / ``store`` / ``erase`` on stdin and stdout).
"""

from __future__ import annotations

import base64
import contextvars
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from ocikit.errors import OciError

if TYPE_CHECKING:
    import subprocess

__all__ = [
    "Credentials",
    "config_path",
    "docker_credentials",
    "erase_credentials",
    "store_credentials",
]

Credentials = Union[tuple[str, str], dict[str, str]]
"""``(username, password)``, or ``{"refresh_token": …}`` / ``{"access_token": …}``."""

# Docker Hub's historical key in config.json.
_DOCKER_HUB = "https://index.docker.io/v1/"
_DOCKER_HUB_HOSTS = {"docker.io", "index.docker.io", "registry-1.docker.io"}
# What helpers answer in Username when the secret is an identity (refresh) token.
_TOKEN_USER = "<token>"


# The file ``ocikit --registry-config FILE`` names, for the command that set it (ORAS's flag).
CONFIG_FILE: contextvars.ContextVar[Optional[Path]] = contextvars.ContextVar(
    "ocikit_registry_config", default=None
)


def config_path() -> Path:
    """Where Docker's ``config.json`` is: ``$DOCKER_CONFIG/config.json`` or
    ``~/.docker/config.json`` (or the file :data:`CONFIG_FILE` holds, when set)."""
    chosen = CONFIG_FILE.get()
    if chosen is not None:
        return chosen
    directory = os.environ.get("DOCKER_CONFIG")
    return Path(directory) / "config.json" if directory else Path.home() / ".docker" / "config.json"


def _read_config() -> dict[str, Any]:
    try:
        data = config_path().read_bytes()
    except FileNotFoundError:
        return {}
    try:
        config = json.loads(data)
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise OciError(
            f"{config_path()} is not JSON: {reason}",
            code="JSON_INVALID",
            details={"reason": reason},
        ) from None
    if not isinstance(config, dict):
        raise OciError(f"{config_path()} is not a JSON object", code="JSON_INVALID")
    return config


def _host(key: str) -> str:
    """The registry a config key names: ``https://host/v1/`` and ``host`` both mean ``host``."""
    host = key.split("://", 1)[-1].split("/", 1)[0]
    return "docker.io" if host in _DOCKER_HUB_HOSTS else host


def _key(registry: str) -> str:
    return _DOCKER_HUB if _host(registry) == "docker.io" else registry


def _helper(config: dict[str, Any], registry: str) -> Optional[str]:
    helpers = config.get("credHelpers")
    for key, helper in (helpers if isinstance(helpers, dict) else {}).items():
        if _host(key) == _host(registry):
            return str(helper)
    store = config.get("credsStore")
    return str(store) if store else None


def _run_helper(helper: str, action: str, payload: str) -> subprocess.CompletedProcess[str]:
    program = f"docker-credential-{helper}"
    try:
        import subprocess  # only for credential helpers: it costs start-up time

        return subprocess.run(
            [program, action], input=payload, capture_output=True, text=True, timeout=60
        )
    except FileNotFoundError as error:
        raise OciError(
            f"the credential helper {program} named in {config_path()} is not installed",
            code="AUTH_INVALID",
            details={"reason": str(error)},
        ) from error
    except (OSError, subprocess.SubprocessError, UnicodeError) as error:
        # Not executable, killed after 60 s, or answering bytes that are not text.
        raise OciError(
            f"the credential helper {program} failed: {error}",
            code="AUTH_INVALID",
            details={"reason": str(error)},
        ) from error


def _from_secret(username: str, secret: str) -> Credentials:
    return {"refresh_token": secret} if username == _TOKEN_USER else (username, secret)


def docker_credentials(registry: str) -> Optional[Credentials]:
    """The credentials Docker's config gives ``registry`` (``host[:port]``), or ``None``.

    Raises:
        OciError: ``JSON_INVALID`` for a broken config file or helper answer, ``AUTH_INVALID``
            for a helper that is missing or fails.
    """
    config = _read_config()
    helper = _helper(config, registry)
    if helper is not None:
        result = _run_helper(helper, "get", _key(registry))
        if result.returncode != 0:
            if "not found" in (result.stdout + result.stderr).lower():
                return None
            raise OciError(
                f"docker-credential-{helper} get failed: {(result.stderr or result.stdout).strip()}",
                code="AUTH_INVALID",
            )
        try:
            answer = json.loads(result.stdout)
            return _from_secret(str(answer["Username"]), str(answer["Secret"]))
        except (ValueError, KeyError, TypeError) as error:
            raise OciError(
                f"docker-credential-{helper} answered something else than credentials",
                code="JSON_INVALID",
            ) from error
    auths = config.get("auths")
    for key, entry in (auths if isinstance(auths, dict) else {}).items():
        if _host(key) != _host(registry) or not isinstance(entry, dict):
            continue
        if entry.get("identitytoken"):
            return {"refresh_token": str(entry["identitytoken"])}
        if entry.get("auth"):
            try:
                decoded = base64.b64decode(entry["auth"], validate=True).decode("utf-8")
            except (ValueError, TypeError, UnicodeDecodeError) as error:
                raise OciError(
                    f"the auth of {key} in {config_path()} is not base64 of user:password",
                    code="AUTH_INVALID",
                ) from error
            username, sep, password = decoded.partition(":")
            if not sep:
                raise OciError(
                    f"the auth of {key} in {config_path()} is not user:password",
                    code="AUTH_INVALID",
                )
            return (username, password)
        if entry.get("username") and entry.get("password"):
            return (str(entry["username"]), str(entry["password"]))
    return None


def _write_config(config: dict[str, Any]) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(config, file, indent="\t")
            file.write("\n")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def store_credentials(registry: str, username: str, password: str) -> None:
    """Saves credentials for ``registry``: with its credential helper when the config names
    one, else base64 in ``auths`` (as ``docker login`` does without a helper).

    Raises:
        OciError: ``AUTH_INVALID`` when the helper fails.
        OSError: the config cannot be written.
    """
    config = _read_config()
    helper = _helper(config, registry)
    if helper is not None:
        payload = json.dumps(
            {"ServerURL": _key(registry), "Username": username, "Secret": password}
        )
        result = _run_helper(helper, "store", payload)
        if result.returncode != 0:
            raise OciError(
                f"docker-credential-{helper} store failed: {(result.stderr or result.stdout).strip()}",
                code="AUTH_INVALID",
            )
        return
    auths = config.get("auths")
    if not isinstance(auths, dict):
        auths = config["auths"] = {}
    for key in [k for k in auths if _host(k) == _host(registry)]:
        del auths[key]
    auth = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    auths[_key(registry)] = {"auth": auth}
    _write_config(config)


def erase_credentials(registry: str) -> bool:
    """Forgets the credentials of ``registry``; whether there were any.

    Raises:
        OciError: ``AUTH_INVALID`` when the helper fails.
        OSError: the config cannot be written.
    """
    config = _read_config()
    helper = _helper(config, registry)
    if helper is not None:
        result = _run_helper(helper, "erase", _key(registry))
        if result.returncode != 0:
            if "not found" in (result.stdout + result.stderr).lower():
                return False
            raise OciError(
                f"docker-credential-{helper} erase failed: {(result.stderr or result.stdout).strip()}",
                code="AUTH_INVALID",
            )
        return True
    auths = config.get("auths")
    auths = auths if isinstance(auths, dict) else {}
    keys = [k for k in auths if _host(k) == _host(registry)]
    for key in keys:
        del auths[key]
    if keys:
        _write_config(config)
    return bool(keys)
