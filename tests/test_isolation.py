"""Walk every portal URL and every API route as partner A's admin and prove partner B stays invisible.

Each domain describes its objects in tests/<domain>/world.py (`populate(partner) -> dict`, see
docs/development.md). For a route with object ids the walker substitutes partner B's ids: every method
must answer 404 and change nothing. For a route without ids, B's markers must not appear in A's response.
A parameter no world knows fails the walk, so a new page is covered the day it is added.

Besides URL parameter -> id and "markers", a world may return "shared": {parameter: id} for program-wide
objects every partner may see by design (tiers, segments): their routes must not fail or show B's markers,
but are not expected to answer 404.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from accord.partners.roles import Role
from tests.factories import PartnerAdminFactory, PartnerFactory, TierFactory, UserFactory, VendorUserFactory

UNSAFE = ("post", "put", "patch", "delete")
NOT_FINGERPRINTED = {"sessions", "admin", "contenttypes", "axes", "auditlog", "django_tasks_database"}
API_PREFIX = "/api/v1/"


@dataclass(frozen=True)
class Route:
    face: str  # "portal" or "api"
    name: str  # URL name or OpenAPI path
    path: str  # template with {param} placeholders
    params: tuple[str, ...]
    methods: tuple[str, ...]
    query_params: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.face} {self.name}"


def _portal_routes() -> list[Route]:
    resolver = get_resolver()
    if "portal" not in resolver.namespace_dict:
        return []
    _prefix, portal = resolver.namespace_dict["portal"]
    found: list[Route] = []

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern):
                regex = pattern.pattern.regex
                params = tuple(regex.groupindex)
                name = f"{namespace}:{pattern.name}" if pattern.name else f"{namespace}:<unnamed {pattern.pattern}>"
                found.append(Route("portal", name, name, params, ("get", "post")))

    walk(portal.url_patterns, "portal")
    return found


@functools.cache
def _openapi() -> dict:
    from accord.api.urls import api

    return api.get_openapi_schema(path_prefix=API_PREFIX)


def _api_routes() -> list[Route]:
    schema = _openapi()
    found = []
    for path, operations in schema["paths"].items():
        methods = tuple(m for m in ("get", *UNSAFE) if m in operations)
        params = tuple(re.findall(r"{(\w+)}", path))
        query = tuple(sorted({p["name"] for op in operations.values() for p in op.get("parameters", ())
                              if p.get("in") == "query"}))
        found.append(Route("api", path, path, params, methods, query))
    return found


ROUTES = _portal_routes() + _api_routes()


def _worlds():
    """Every tests/<domain>/world.py, found on disk so a new domain plugs in without touching this file."""
    for info in pkgutil.iter_modules([str(Path(tests.__file__).parent)]):
        if info.ispkg and importlib.util.find_spec(f"tests.{info.name}.world") is not None:
            yield info.name, importlib.import_module(f"tests.{info.name}.world")


@dataclass
class World:
    partner_id: int
    ids: dict[str, int]
    shared: dict[str, int]
    markers: list[str]


def _populate(partner) -> World:
    ids: dict[str, int] = {}
    shared: dict[str, int] = {}
    markers: list[str] = [partner.legal_name, partner.web_domain]
    owners: dict[str, str] = {}
    for domain, module in _worlds():
        entries = dict(module.populate(partner))
        markers += entries.pop("markers", [])
        for target, values in ((shared, entries.pop("shared", {})), (ids, entries)):
            for key, value in values.items():
                if key in owners and owners[key] != domain:
                    raise AssertionError(f"tests/{domain}/world.py and tests/{owners[key]}/world.py both define {key}")
                owners[key] = domain
                target[key] = value
    return World(partner.pk, ids, shared, [m for m in markers if m])


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    """Partners A and B with one of everything, built once for the module and rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            tier = TierFactory(code="silver", name="Silver", rank=10)
            partner_a = PartnerFactory(legal_name="Alpha Walker GmbH", web_domain="alpha-walker.example",
                                       tier=tier, channel_manager=VendorUserFactory(email="cam-a@vendor.example"))
            partner_b = PartnerFactory(legal_name="Bravo Walker Sp. z o.o.", country="PL", city="Gdańsk",
                                       web_domain="bravo-walker.example", tier=tier,
                                       channel_manager=VendorUserFactory(email="cam-b@vendor.example"))
            admin_a = PartnerAdminFactory(partner=partner_a, email="walker@alpha-walker.example")
            world_a, world_b = _populate(partner_a), _populate(partner_b)
            yield admin_a, world_a, world_b
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _fingerprint() -> dict[str, str]:
    """A digest of every row of every model that matters, to prove a refused request changed nothing."""
    digests = {}
    for model in apps.get_models():
        if model._meta.app_label in NOT_FINGERPRINTED or model._meta.proxy or not model._meta.managed:
            continue
        rows = list(model._base_manager.order_by("pk").values())
        digests[model._meta.label] = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()
    return digests


def _url(route: Route, values: dict[str, int]) -> str:
    if route.face == "portal":
        return reverse(route.name, kwargs={p: values[p] for p in route.params})
    return route.path.format(**{p: values[p] for p in route.params})


def _missing(route: Route, world: World) -> list[str]:
    return [p for p in route.params if p not in world.ids and p not in world.shared]


def _call(client: Client, route: Route, method: str, url: str, query: dict | None = None,
          body: dict | None = None):
    if method == "get":
        return client.get(url, query or {})
    if route.face == "portal":
        return client.generic(method.upper(), url, "", content_type="application/x-www-form-urlencoded")
    return client.generic(method.upper(), url, json.dumps({**_placeholder_body(route, method), **(body or {})}),
                          content_type="application/json")


def _body_schema(route: Route, method: str) -> dict:
    schema = _openapi()
    operation = schema["paths"][route.path][method]
    node = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _placeholder_body(route: Route, method: str) -> dict:
    """A body that passes schema validation, so the endpoint itself must refuse B's ids with 404."""
    node = _body_schema(route, method)
    return _example(node, _openapi()["components"].get("schemas", {}), depth=0) if node else {}


def _example(node: dict, components: dict, depth: int, name: str = ""):
    """A plausible value: the endpoint should get past validation and reach its scoping."""
    if "$ref" in node:
        return _example(components[node["$ref"].rsplit("/", 1)[-1]], components, depth, name)
    if depth > 4:
        return None
    if "enum" in node:
        return node["enum"][0]
    if "anyOf" in node:
        return _example(next(n for n in node["anyOf"] if n.get("type") != "null"), components, depth, name)
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return {key: _example(node["properties"][key], components, depth + 1, key) for key in node.get("required", ())}
    if node.get("format") == "email" or "email" in name:
        return f"walker.{name or 'x'}@walker-new.example"
    return {"string": "x", "integer": 1, "number": 1, "boolean": False, "array": []}.get(kind, "x")


def _signed_in(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_partner_b_is_unreachable(route: Route, worlds):
    admin_a, _world_a, world_b = worlds
    assert "<unnamed" not in route.name, f"{route}: give the URL pattern a name so the walker can build its URL"
    missing = _missing(route, world_b)
    assert not missing, (f"{route}: no tests/<domain>/world.py provides {', '.join(missing)}; add it to the "
                         f"populate() of the domain that owns the object")
    client = _signed_in(admin_a)
    scoped = [p for p in route.params if p in world_b.ids]
    values = {**world_b.shared, **world_b.ids}
    url = _url(route, values)
    if scoped:
        before = _fingerprint()
        for method in route.methods:
            response = _call(client, route, method, url)
            allowed = {404, 405} if route.face == "portal" and method != "get" else {404}
            assert response.status_code in allowed, (
                f"{method.upper()} {url} ({route}) with partner B's ids answered {response.status_code}, not 404")
        assert _fingerprint() == before, f"{route}: a refused request with partner B's ids changed data"
        return
    query = {p: values[p] for p in route.query_params if p in values}
    for method in route.methods:
        body_ids = {name: world_b.ids[name] for name in _body_schema(route, method).get("properties", {})
                    if name in world_b.ids} if route.face == "api" and method != "get" else {}
        if body_ids:  # e.g. POST /contacts {"partner_id": B}: refused, and nothing changes
            before = _fingerprint()
            response = _call(client, route, method, url, body=body_ids)
            assert response.status_code in {400, 403, 404, 422}, (
                f"{method.upper()} {url} ({route}) with partner B's {sorted(body_ids)} in the body answered "
                f"{response.status_code}")
            assert _fingerprint() == before, f"{route}: a request with partner B's ids in the body changed data"
            continue
        response = _call(client, route, method, url, query)
        assert response.status_code < 500, f"{method.upper()} {url} ({route}) answered {response.status_code}"
        text = response.content.decode(errors="replace")
        leaked = [marker for marker in world_b.markers if marker in text]
        assert not leaked, f"{method.upper()} {url} ({route}) shows partner B's {leaked} to partner A"


def test_the_walker_sees_the_faces():
    """Guard against the walker silently walking nothing."""
    api_paths = {route.name for route in ROUTES if route.face == "api"}

    assert {"/api/v1/partners", "/api/v1/partners/{partner_id}"} <= api_paths


@pytest.mark.django_db
def test_partner_b_or_vendor_staff_reach_the_same_urls(worlds):
    """Partner B's admin or a vendor admin gets 200 where partner A got 404: those 404s come from scoping,
    not from broken URLs (some objects are only for their partner, some only for vendor staff)."""
    _admin_a, _world_a, world_b = worlds
    readers = [_signed_in(UserFactory(roles=[Role.VENDOR_ADMIN], is_staff=True)),
               _signed_in(PartnerAdminFactory(partner_id=world_b.partner_id, email="walker@bravo-walker.example"))]
    reachable = [route for route in ROUTES if route.face == "api" and "get" in route.methods
                 and route.params and all(p in world_b.ids for p in route.params)]
    assert reachable
    for route in reachable:
        url = _url(route, world_b.ids)
        statuses = [reader.get(url).status_code for reader in readers]
        assert 200 in statuses, f"{url}: vendor admin and partner B's admin answered {statuses}"
