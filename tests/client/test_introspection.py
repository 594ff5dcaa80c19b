"""A resource method seen at runtime is what it is: its public signature, its real return type,
a coroutine function on the async client (except pagers), and a docstring ``help()`` shows.

Every public method of every resource on both clients is found by walking the clients'
resource attributes, so a new method cannot be left out.
"""

from __future__ import annotations

import inspect
import pydoc
import typing
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any

import pytest

import pinkit
from pinkit._resource import Resource, endpoint, paginated, workflow


def resources_of(obj: object, path: str) -> Iterator[tuple[str, Resource[Any]]]:
    # A client makes its resources on first use (cached properties); resources hold theirs.
    lazy = [
        n for c in type(obj).__mro__ for n, a in vars(c).items() if isinstance(a, cached_property)
    ]
    for name in dict.fromkeys([*vars(obj), *lazy]):
        value = getattr(obj, name)
        if isinstance(value, Resource) and not name.startswith("_"):
            yield f"{path}.{name}", value
            yield from resources_of(value, f"{path}.{name}")


def public_methods(client: object) -> Iterator[tuple[str, Callable[..., Any], Any]]:
    """(``client.pins.get``, the bound method, the descriptor) for every resource method."""
    for path, resource, name, descriptor in methods_on(client):
        yield f"{path}.{name}", getattr(resource, name), descriptor


def methods_on(client: object) -> Iterator[tuple[str, Resource[Any], str, Any]]:
    for path, resource in resources_of(client, "client"):
        for cls in type(resource).__mro__:
            for name, attr in vars(cls).items():
                if isinstance(attr, (endpoint, paginated, workflow)):
                    yield path, resource, name, attr


def build_return(descriptor: Any) -> Any:
    """What the definition returns: ``Call[X]``, ``PageCall[X]`` or ``Flow[X]``."""
    return typing.get_type_hints(descriptor._build)["return"]


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[pinkit.Client, pinkit.AsyncClient]]:
    sync = pinkit.Client("pina_x", base_url="http://127.0.0.1:9/v5")
    async_ = pinkit.AsyncClient("pina_x", base_url="http://127.0.0.1:9/v5")
    yield sync, async_
    sync.close()


def test_every_resource_is_walked(clients: tuple[pinkit.Client, pinkit.AsyncClient]) -> None:
    for client in clients:
        found = {path for path, _, _ in public_methods(client)}
        assert {"client.pins.get", "client.boards.sections.list_pins", "client.media.wait"} <= found
        assert len(found) == 88


@pytest.mark.parametrize("which", ["sync", "async"])
def test_signatures_are_public_and_typed(
    clients: tuple[pinkit.Client, pinkit.AsyncClient], which: str
) -> None:
    client = clients[0] if which == "sync" else clients[1]
    for path, method, descriptor in public_methods(client):
        definition = inspect.signature(descriptor._build)
        signature = inspect.signature(method)
        assert list(signature.parameters) == list(definition.parameters)[1:], path
        assert "self" not in signature.parameters, path
        for name, parameter in signature.parameters.items():
            assert parameter.kind == definition.parameters[name].kind, (path, name)
            assert parameter.default == definition.parameters[name].default, (path, name)
        returned = inspect.signature(method, eval_str=True).return_annotation
        item = typing.get_args(build_return(descriptor))[-1]  # X of Call/PageCall/Flow[X]
        item = None if item is type(None) else item
        if isinstance(descriptor, paginated):
            pager = pinkit.AsyncPager if which == "async" else pinkit.SyncPager
            assert returned == pager[item], path
        else:
            assert returned == item, path
            assert typing.get_type_hints(method)["return"] == (type(None) if item is None else item)


def test_return_types_are_the_models(clients: tuple[pinkit.Client, pinkit.AsyncClient]) -> None:
    sync, async_ = clients
    assert inspect.signature(sync.pins.get, eval_str=True).return_annotation is pinkit.Pin
    assert inspect.signature(async_.pins.get, eval_str=True).return_annotation is pinkit.Pin
    assert inspect.signature(sync.pins.get).return_annotation is pinkit.Pin
    assert inspect.signature(sync.media.upload).return_annotation is pinkit.MediaUpload
    assert inspect.signature(sync.pins.delete).return_annotation is None
    assert inspect.signature(sync.pins.list).return_annotation == pinkit.SyncPager[pinkit.Pin]
    assert inspect.signature(async_.pins.list).return_annotation == pinkit.AsyncPager[pinkit.Pin]
    assert str(inspect.signature(sync.pins.get)) == (
        "(pin_id: str, *, pin_metrics: bool | None = None) -> pinkit.models.pins.Pin"
    )


def test_async_methods_are_coroutine_functions_except_pagers(
    clients: tuple[pinkit.Client, pinkit.AsyncClient],
) -> None:
    sync, async_ = clients
    for path, method, descriptor in public_methods(async_):
        expected = not isinstance(descriptor, paginated)
        assert inspect.iscoroutinefunction(method) is expected, path
    for path, method, _ in public_methods(sync):
        assert not inspect.iscoroutinefunction(method), path
        assert inspect.isfunction(method), path


@pytest.mark.anyio
async def test_async_pagers_are_iterated_with_async_for() -> None:
    async with pinkit.AsyncClient("pina_x", base_url="http://127.0.0.1:9/v5") as client:
        pager = client.pins.list(max_items=0)
        assert isinstance(pager, pinkit.AsyncPager)
        assert [pin async for pin in pager] == []


def test_every_method_has_a_docstring_that_help_shows(
    clients: tuple[pinkit.Client, pinkit.AsyncClient],
) -> None:
    for client in clients:
        for path, method, descriptor in public_methods(client):
            doc = inspect.getdoc(method)
            assert doc, f"{path} has no docstring"
            assert len(doc) > 15, path
            assert doc == inspect.getdoc(descriptor._build)
            rendered = pydoc.render_doc(method, renderer=pydoc.plaintext)
            assert doc.splitlines()[0] in rendered, path
            assert method.__name__ in rendered
    text = pydoc.render_doc(clients[0].pins.get, renderer=pydoc.plaintext)
    assert "get(pin_id: str, *, pin_metrics: bool | None = None) -> pinkit.models.pins.Pin" in text
    assert "async get(" in pydoc.render_doc(clients[1].pins.get, renderer=pydoc.plaintext)


def test_methods_are_built_once_per_resource(
    clients: tuple[pinkit.Client, pinkit.AsyncClient],
) -> None:
    for client in clients:
        for path, resource, name, descriptor in methods_on(client):
            method = getattr(resource, name)
            assert getattr(resource, name) is method, (path, name)
            assert vars(resource)[name] is method, (path, name)  # no descriptor call again
            assert method.__qualname__ == descriptor.__qualname__
    other = pinkit.Client("pina_y", base_url="http://127.0.0.1:9/v5")
    assert other.pins.get is not clients[0].pins.get  # bound to its own client
    other.close()


def test_resources_reach_their_client_through_the_host_protocol(
    clients: tuple[pinkit.Client, pinkit.AsyncClient],
) -> None:
    sync, async_ = clients
    assert sync.pins._client is sync
    assert async_.boards.sections._client is async_
    assert sync._is_async is False
    assert async_._is_async is True
    assert isinstance(type(sync.pins).get, endpoint)  # the class still holds the descriptor
