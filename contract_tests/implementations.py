"""Find the implementations of the contract and read their descriptors.

Each implementation lives in a top-level folder ``<name>_impl/`` holding an
``impl.toml`` that says how to install it, start its production server and run
its own tests. The contract suite, ``noxfile.py`` and the docs and benchmark
tools read it through this module, so a new implementation plugs in by adding
its folder and that file. This module imports nothing but the standard library.
"""

from __future__ import annotations

import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DESCRIPTOR = "impl.toml"
SPEC = ROOT / "shared_spec" / "openapi.yaml"


class DescriptorError(ValueError):
    """An ``impl.toml`` is missing a key or names one wrongly."""


@dataclass(frozen=True)
class Admin:
    """``[admin]``: the admin product (``kind``) and the command that makes an administrator.

    ``create`` runs like ``[serve] prepare`` (the implementation's folder and virtualenv, the server's
    environment) with ``{username}`` filled in; ``env`` adds variables with ``{password}`` filled in.
    """

    kind: str
    create: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)

    def create_command(self, username: str) -> list[str]:
        return [arg.replace("{username}", username) for arg in self.create]

    def create_env(self, password: str) -> dict[str, str]:
        return {key: value.replace("{password}", password) for key, value in self.env.items()}


@dataclass(frozen=True)
class Implementation:
    name: str
    folder: Path
    framework: str
    server: str
    language: str
    packages: tuple[str, ...]
    install: tuple[tuple[str, ...], ...]
    prepare: tuple[tuple[str, ...], ...]
    serve: tuple[str, ...]
    ready_path: str
    env: dict[str, str] = field(default_factory=dict)
    test_install: tuple[tuple[str, ...], ...] = ()
    test_command: tuple[str, ...] = ()
    admin: Admin | None = None  # None when impl.toml has no [admin] table

    def serve_command(self, port: int, database_url: str) -> list[str]:
        return [_fill(arg, port, database_url) for arg in self.serve]

    def prepare_commands(self, port: int, database_url: str) -> list[list[str]]:
        return [[_fill(arg, port, database_url) for arg in cmd] for cmd in self.prepare]

    def serve_env(self, port: int, database_url: str, secret_key: str | None = None) -> dict[str, str]:
        """``[serve] env`` filled in; ``{secret_key}`` is ``secret_key``, or a new random one per call.

        One call per server start: the prepare steps and every worker of that server share the secret,
        and no two servers (or runs) share one.
        """
        secret = secret_key or secrets.token_urlsafe(32)
        return {
            key: _fill(value, port, database_url).replace("{secret_key}", secret) for key, value in self.env.items()
        }


def _fill(template: str, port: int, database_url: str) -> str:
    return template.replace("{port}", str(port)).replace("{database_url}", database_url)


def _commands(value: object, where: str) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list) or not all(
        isinstance(cmd, list) and cmd and all(isinstance(arg, str) for arg in cmd) for cmd in value
    ):
        raise DescriptorError(f"{where} must be a list of commands, each a list of strings")
    return tuple(tuple(cmd) for cmd in value)


def _admin(value: object, where: str) -> Admin | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise DescriptorError(f"{where} must be a table")
    kind, env = value.get("kind"), value.get("env", {})
    if not isinstance(kind, str) or not kind:
        raise DescriptorError(f"{where}.kind must be a non-empty string")
    if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
        raise DescriptorError(f"{where}.env must be a table of strings")
    (create,) = _commands([value.get("create")], f"{where}.create")
    return Admin(kind=kind, create=create, env=dict(env))


def load(folder: Path) -> Implementation:
    path = folder / DESCRIPTOR
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    try:
        serve = data["serve"]
        tests = data.get("tests", {})
        command = serve["command"]
        if not isinstance(command, list) or not command:
            raise DescriptorError(f"{path}: serve.command must be a non-empty list of strings")
        return Implementation(
            name=data["name"],
            folder=folder,
            framework=data["framework"],
            server=data["server"],
            language=data.get("language", "Python"),
            packages=tuple(data.get("packages", ())),
            install=_commands(data["install"]["commands"], f"{path}: install.commands"),
            prepare=_commands(serve.get("prepare", []), f"{path}: serve.prepare"),
            serve=tuple(command),
            ready_path=serve.get("ready_path", "/openapi.json"),
            env=dict(serve.get("env", {})),
            test_install=_commands(tests.get("install", []), f"{path}: tests.install"),
            test_command=tuple(tests.get("command", ())),
            admin=_admin(data.get("admin"), f"{path}: admin"),
        )
    except KeyError as missing:
        raise DescriptorError(f"{path}: missing key {missing}") from None


def discover(root: Path = ROOT) -> dict[str, Implementation]:
    """Every implementation under ``root``, by name, in name order."""
    found = [load(p.parent) for p in sorted(root.glob(f"*_impl/{DESCRIPTOR}"))]
    return {impl.name: impl for impl in sorted(found, key=lambda impl: impl.name)}


def get(name: str, root: Path = ROOT) -> Implementation:
    impls = discover(root)
    if name not in impls:
        known = ", ".join(impls) or "none"
        raise DescriptorError(f"no implementation named {name!r} (known: {known})")
    return impls[name]
